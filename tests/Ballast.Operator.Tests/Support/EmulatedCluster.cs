using Ballast.KubeEmulator;
using k8s;

namespace Ballast.Operator.Tests.Support;

/// <summary>The emulator plus a real KubernetesClient built from the kubeconfig file it wrote, as a cluster user would.</summary>
public sealed class EmulatedCluster : IAsyncDisposable
{
    public KubeApiEmulator Api { get; }
    public string KubeconfigPath { get; }
    public Kubernetes Client { get; }
    private readonly string _dir;

    private EmulatedCluster(KubeApiEmulator api, string dir, string kubeconfig)
    {
        Api = api;
        _dir = dir;
        KubeconfigPath = kubeconfig;
        Client = NewClient();
    }

    public static async Task<EmulatedCluster> StartAsync(int historyLimit = 1000, TimeProvider? time = null, IEnumerable<ResourceType>? types = null)
    {
        var api = await KubeApiEmulator.StartAsync(historyLimit, time, types);
        var dir = Directory.CreateTempSubdirectory("ballast-kube-").FullName;
        var kubeconfig = api.WriteKubeconfig(Path.Combine(dir, "kubeconfig"));
        return new EmulatedCluster(api, dir, kubeconfig);
    }

    /// <summary>The default kinds plus Gateway API's, as a cluster with the standard-channel CRDs installed serves them.</summary>
    public static IReadOnlyList<ResourceType> WithGatewayApi { get; } = [.. ResourceType.Defaults, .. ResourceType.GatewayApi];

    /// <summary>Another independent client (its own connections), e.g. for a second operator.</summary>
    public Kubernetes NewClient() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Api.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
