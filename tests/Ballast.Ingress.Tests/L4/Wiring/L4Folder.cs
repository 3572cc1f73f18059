using System.Net;
using System.Net.Sockets;

namespace Ballast.Ingress.Tests.L4.Wiring;

/// <summary>A temporary folder of CR-shaped YAML for the L4 data-plane tests (written whole, read by the real loader and Compiler).</summary>
internal sealed class L4Folder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ballast-l4-").FullName;

    /// <summary>Write-then-rename, so a reader never sees half a file.</summary>
    public void Write(string name, string yaml)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file + ".tmp", yaml);
        File.Move(file + ".tmp", file, overwrite: true);
    }

    public static string Pool(string name, string protocol, params int[] ports) => $$"""
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: {{name}} }
        spec:
          protocol: {{protocol}}
          endpoints: [ {{string.Join(", ", ports.Select(p => $"{{ address: \"127.0.0.1:{p}\" }}"))}} ]
        ---

        """;

    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
