namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// The upstream conformance suite's setup, in standalone mode: a Gateway with one HTTP listener, Services v1, v2 and v3
/// (with EndpointSlices) in front of three echo backends, a namespace <c>other</c> with a Service a ReferenceGrant lets
/// routes use and one it does not, and the HTTPRoutes of <c>conformance-routes.yaml</c>, loaded from a folder by the real file
/// provider into an in-process ingress. Started once for the whole matrix.
/// </summary>
public sealed class ConformanceGateway : IAsyncLifetime
{
    private GatewayFolder? _folder;

    public IngressFixture Ingress { get; private set; } = null!;
    public int Port { get; private set; }
    public HttpClient Client { get; private set; } = null!;
    public Dictionary<string, EchoBackend> Backends { get; } = [];

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "v1", "v2", "v3" }) Backends[name] = await EchoBackend.StartAsync(name);
        Port = FreePort.Next();
        Ingress = await IngressFixture.StartAsync();
        _folder = await GatewayFolder.LoadAsync(Ingress, ("gateway.yaml", GatewayYaml()),
            ("routes.yaml", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sources", "conformance-routes.yaml"))));
        Client = Ingress.Client(Port);
    }

    private string GatewayYaml() => GatewayFolder.Gateway($"{{ name: http, port: {Port}, protocol: HTTP }}") + """
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: other }
        ---
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: { name: routes-from-default, namespace: other }
        spec:
          from: [ { group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default } ]
          to: [ { group: "", kind: Service, name: granted } ]

        """ + string.Concat(Backends.Values.Select(b => GatewayFolder.Service("default", b.Name, b.Port)))
        + GatewayFolder.Service("other", "granted", Backends["v3"].Port) + GatewayFolder.Service("other", "denied", Backends["v3"].Port);

    public async Task DisposeAsync()
    {
        if (_folder is not null) await _folder.DisposeAsync();
        await Ingress.DisposeAsync();
        foreach (var backend in Backends.Values) await backend.DisposeAsync();
    }
}
