using System.Net;
using Ballast.Operator.Reconcile;

namespace Ballast.Operator.Tests.Support;

/// <summary>
/// An operator on the emulator, with Gateway API's CRDs installed and the ingress Service <see cref="IngressService"/>
/// known to it, and one ingress replica it feeds on 127.0.0.1: requests through Ballast in a cluster, end to end.
/// </summary>
public sealed class OperatorWithReplica : IAsyncDisposable
{
    public const string IngressService = "ballast-system/ballast-ingress";

    private readonly Replica _replica;
    private readonly string _state;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    private OperatorWithReplica(OperatorFixture fixture, Replica replica, string state) => (Fixture, _replica, _state) = (fixture, replica, state);

    public OperatorFixture Fixture { get; }

    /// <summary>The snapshot the replica runs.</summary>
    public Ballast.Model.Snapshots.Snapshot ReplicaSnapshot => _replica.Host.CurrentSnapshot;

    public static async Task<OperatorWithReplica> StartAsync()
    {
        var fixture = await OperatorFixture.StartAsync(types: EmulatedCluster.WithGatewayApi,
            configure: o => o with { Addresses = new AddressSources { IngressService = IngressService } });
        var state = Directory.CreateTempSubdirectory("ballast-op-replica-").FullName;
        var replica = await Replica.StartAsync("replica-0", IPAddress.Loopback, fixture.Operator.SnapshotUri, OperatorFixture.Token, state);
        return new OperatorWithReplica(fixture, replica, state);
    }

    /// <summary>Namespace <paramref name="ns"/>, the GatewayClass <c>ballast</c> and its Gateway <c>web</c> there, one HTTP listener on <paramref name="port"/>.</summary>
    public static string Gateway(string ns, int port) => $$"""
        apiVersion: v1
        kind: Namespace
        metadata: { name: {{ns}} }
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: { name: ballast }
        spec: { controllerName: ballast.dev/gateway-controller }
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: { name: web, namespace: {{ns}} }
        spec:
          gatewayClassName: ballast
          listeners: [ { name: http, port: {{port}}, protocol: HTTP } ]
        """;

    /// <summary>
    /// The chart's ingress Service (<see cref="IngressService"/>: port 80 → the container port named http) and the
    /// EndpointSlice the EndpointSlice controller writes for it, which resolves that name to <paramref name="containerPort"/>.
    /// </summary>
    public static string IngressServiceYaml(int containerPort) => $$"""
        apiVersion: v1
        kind: Namespace
        metadata: { name: ballast-system }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: ballast-ingress, namespace: ballast-system }
        spec:
          type: LoadBalancer
          ports: [ { name: http, port: 80, targetPort: http } ]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: { name: ballast-ingress-1, namespace: ballast-system, labels: { kubernetes.io/service-name: ballast-ingress } }
        addressType: IPv4
        ports: [ { name: http, port: {{containerPort}} } ]
        endpoints: [ { addresses: [ 127.0.0.1 ], conditions: { ready: true } } ]
        """;

    /// <summary>Applies kubectl-style YAML (several documents) to the emulator.</summary>
    public Task ApplyAsync(string yaml) => Manifests.ApplyAsync(Fixture.Cluster.Api, Manifests.Parse(yaml));

    /// <summary>GET <paramref name="path"/> for <paramref name="host"/> through the replica, redirects not followed; status 0 while nothing listens on the port yet.</summary>
    public async Task<(HttpStatusCode Status, string? Location)> GetAsync(int port, string host, string path = "/")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}") { Headers = { Host = host } };
        try
        {
            using var response = await _http.SendAsync(request);
            return (response.StatusCode, response.Headers.Location?.ToString());
        }
        catch (HttpRequestException)
        {
            return (0, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _replica.DisposeAsync();
        await Fixture.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }
}
