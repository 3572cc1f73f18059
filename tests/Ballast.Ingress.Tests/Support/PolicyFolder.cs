using Ballast.Testing;

namespace Ballast.Ingress.Tests.Support;

/// <summary>A temporary folder of CR-shaped YAML: one policy splitting a listener between two pools.</summary>
public sealed class PolicyFolder : IDisposable
{
    public PolicyFolder(int port, TestBackend v1, TestBackend v2)
    {
        Path = Directory.CreateTempSubdirectory("ballast-folder-").FullName;
        Port = port;
        File.WriteAllText(System.IO.Path.Combine(Path, "pools.yaml"), $"""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: {"{"} name: v1 {"}"}
            spec:
              endpoints: [ {"{"} address: "127.0.0.1:{v1.Port}" {"}"} ]
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: {"{"} name: v2 {"}"}
            spec:
              endpoints: [ {"{"} address: "127.0.0.1:{v2.Port}" {"}"} ]
            """);
        WritePolicy(90, 10);
    }

    public string Path { get; }
    public int Port { get; }
    public string PolicyFile => System.IO.Path.Combine(Path, "policy.yaml");

    public void WritePolicy(int weightV1, int weightV2, string poolV2 = "v2") => Write(PolicyFile, $"""
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: {"{"} name: split {"}"}
        spec:
          listeners:
            - {"{"} name: http, port: {Port}, protocol: HTTP, address: 127.0.0.1 {"}"}
          routes:
            - name: all
              match: {"{"} pathPrefix: / {"}"}
              backends:
                - {"{"} pool: v1, weight: {weightV1} {"}"}
                - {"{"} pool: {poolV2}, weight: {weightV2} {"}"}
        """);

    /// <summary>Write-then-rename: a reader never sees half a file.</summary>
    private static void Write(string file, string text)
    {
        var temp = file + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, file, overwrite: true);
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
