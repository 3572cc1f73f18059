using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using k8s;
using k8s.Models;

namespace Ballast.Operator.Tests.Support;

/// <summary>Emulator + an in-process operator talking to it through a kubeconfig, as it would to a cluster.</summary>
public sealed class OperatorFixture : IAsyncDisposable
{
    public const string Token = "replica-secret";
    public EmulatedCluster Cluster { get; }
    public OperatorHost Operator { get; private set; } = null!;
    private readonly Func<OperatorOptions, OperatorOptions> _configure;

    private OperatorFixture(EmulatedCluster cluster, Func<OperatorOptions, OperatorOptions>? configure) =>
        (Cluster, _configure) = (cluster, configure ?? (o => o));

    /// <param name="configure">Changes to the test options (<see cref="Options"/>) for this operator and its restarts.</param>
    public static async Task<OperatorFixture> StartAsync(int historyLimit = 1000, IEnumerable<KubeEmulator.ResourceType>? types = null,
        Func<OperatorOptions, OperatorOptions>? configure = null)
    {
        var fixture = new OperatorFixture(await EmulatedCluster.StartAsync(historyLimit, types: types), configure);
        await fixture.StartOperatorAsync();
        return fixture;
    }

    public static OperatorOptions Options(EmulatedCluster cluster, string identity = "op-1") => new()
    {
        Kubeconfig = cluster.KubeconfigPath,
        Identity = identity,
        SnapshotListen = new IPEndPoint(IPAddress.Loopback, 0),
        MetricsListen = new IPEndPoint(IPAddress.Loopback, 0),
        SnapshotToken = Token,
        PollWait = TimeSpan.FromSeconds(2),
        RetryPeriod = TimeSpan.FromMilliseconds(200),
        LeaseDuration = TimeSpan.FromSeconds(3),
    };

    public async Task StartOperatorAsync() => Operator = await OperatorHost.StartAsync(_configure(Options(Cluster)));

    public async Task StopOperatorAsync() => await Operator.DisposeAsync();

    public Task ApplySamplesAsync() => Manifests.ApplyFilesAsync(Cluster.Api,
        Directory.GetFiles(RepoPaths.Of("samples", "kubernetes"), "*.yaml").Order(StringComparer.Ordinal).ToArray());

    /// <summary>What the EndpointSlice controller would write for a Service.</summary>
    public Task SetEndpointsAsync(string ns, string service, params (string Ip, bool Ready, bool Serving, bool Terminating)[] endpoints) =>
        Manifests.ApplyAsync(Cluster.Api, [JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(new V1EndpointSlice
        {
            ApiVersion = "discovery.k8s.io/v1",
            Kind = "EndpointSlice",
            Metadata = new V1ObjectMeta { Name = service + "-abc", NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
            AddressType = "IPv4",
            Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080 }],
            Endpoints = [.. endpoints.Select(e => new V1Endpoint { Addresses = [e.Ip], Conditions = new V1EndpointConditions { Ready = e.Ready, Serving = e.Serving, Terminating = e.Terminating } })],
        }, SliceJson))!.AsObject()]);

    private static readonly System.Text.Json.JsonSerializerOptions SliceJson =
        new(System.Text.Json.JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public async Task<JsonObject> GetAsync(string plural, string ns, string name) =>
        JsonNode.Parse(((System.Text.Json.JsonElement)await Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("ballast.dev", "v1alpha1", ns, plural, name)).GetRawText())!.AsObject();

    public static JsonObject? Condition(JsonObject obj, string type) =>
        obj["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c!["type"]!.GetValue<string>() == type)?.AsObject();

    /// <summary>Polls a ballast.dev resource until its condition <paramref name="type"/> has <paramref name="status"/>; returns the resource then.</summary>
    public Task<JsonObject> UntilConditionAsync(string plural, string ns, string name, string type, string status, string what) =>
        Eventually.GetAsync(() => GetAsync(plural, ns, name), p => Condition(p, type)?["status"]?.GetValue<string>() == status, what);

    public Task<Snapshot> SnapshotWhereAsync(Func<Snapshot, bool> done, string what) =>
        Eventually.GetAsync(() => Task.FromResult(Operator.Hub.Current), done, what);

    /// <summary>A replica that fetches the newest snapshot over HTTP and reports it applied it.</summary>
    public async Task<Snapshot> FakeReplicaAppliesAsync(string id)
    {
        using var http = new HttpClient { BaseAddress = Operator.SnapshotUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var snapshot = (await http.GetFromJsonAsync<Snapshot>("/v1/snapshot?after=0", Ballast.Model.Serialization.ModelJson.Options))!;
        var report = await http.PostAsJsonAsync($"/v1/replicas/{id}", new { version = snapshot.Version });
        report.EnsureSuccessStatusCode();
        return snapshot;
    }

    public async ValueTask DisposeAsync()
    {
        await Operator.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
