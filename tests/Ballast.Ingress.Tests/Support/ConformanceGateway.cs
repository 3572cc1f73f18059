using System.Text;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// The upstream conformance suite's setup, in standalone mode: a Gateway with one HTTP listener and, on a second port,
/// two HTTPS listeners (<c>one.secure.test</c> and <c>*.secure.test</c>, each with its certificate from a
/// <c>kubernetes.io/tls</c> Secret), Services v1, v2 and v3 (with EndpointSlices) in front of three echo backends and
/// <c>ws</c> in front of a WebSocket echo, a namespace <c>other</c> with a Service a ReferenceGrant lets routes use and
/// one it does not, and the HTTPRoutes of <c>conformance-routes.yaml</c>, loaded from a folder by the real file provider
/// into an in-process ingress. Started once for the whole matrix.
/// </summary>
public sealed class ConformanceGateway : IAsyncLifetime
{
    private StandaloneFolder? _folder;
    private TestBackend? _webSockets;

    public IngressFixture Ingress { get; private set; } = null!;
    public int Port { get; private set; }
    /// <summary>The HTTPS listeners' port.</summary>
    public int HttpsPort { get; private set; }
    public HttpClient Client { get; private set; } = null!;
    public Dictionary<string, EchoBackend> Backends { get; } = [];

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "v1", "v2", "v3" }) Backends[name] = await EchoBackend.StartAsync(name);
        _webSockets = await WebSocketEcho.StartAsync();
        Port = FreePort.Next();
        HttpsPort = FreePort.Next();
        Ingress = await IngressFixture.StartAsync();
        _folder = await StandaloneFolder.LoadAsync(Ingress, ("gateway.yaml", GatewayYaml()),
            ("routes.yaml", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Sources", "conformance-routes.yaml"))));
        Client = Ingress.Client(Port);
    }

    private string GatewayYaml() => GatewayApiYaml.Gateway($"{{ name: http, port: {Port}, protocol: HTTP }}",
        $"{{ name: https-one, port: {HttpsPort}, protocol: HTTPS, hostname: one.secure.test, tls: {{ certificateRefs: [ {{ name: one-cert }} ] }} }}",
        $"{{ name: https-wild, port: {HttpsPort}, protocol: HTTPS, hostname: \"*.secure.test\", tls: {{ certificateRefs: [ {{ name: wild-cert }} ] }} }}")
        + TlsSecret("one-cert", "one.secure.test") + TlsSecret("wild-cert", "*.secure.test") + $$"""
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: ws }
        spec: { ports: [ { name: http, port: 8080, appProtocol: kubernetes.io/ws } ] }
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: { name: ws-0, labels: { kubernetes.io/service-name: ws } }
        ports: [ { name: http, port: {{_webSockets!.Port}}, appProtocol: kubernetes.io/ws } ]
        endpoints: [ { addresses: [ 127.0.0.1 ] } ]

        """ + """
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

        """ + string.Concat(Backends.Values.Select(b => GatewayApiYaml.Service("default", b.Name, b.Port)))
        + GatewayApiYaml.Service("other", "granted", Backends["v3"].Port) + GatewayApiYaml.Service("other", "denied", Backends["v3"].Port);

    /// <summary>A <c>kubernetes.io/tls</c> Secret with a fresh self-signed certificate for <paramref name="dnsName"/>.</summary>
    private static string TlsSecret(string name, string dnsName)
    {
        var (certificate, key) = SelfSignedCertificate.Create(dnsName);
        static string Base64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
        return $$"""
            ---
            apiVersion: v1
            kind: Secret
            metadata: { name: {{name}} }
            type: kubernetes.io/tls
            data: { tls.crt: {{Base64(certificate)}}, tls.key: {{Base64(key)}} }

            """;
    }

    public async Task DisposeAsync()
    {
        if (_folder is not null) await _folder.DisposeAsync();
        await Ingress.DisposeAsync();
        foreach (var backend in Backends.Values) await backend.DisposeAsync();
        if (_webSockets is not null) await _webSockets.DisposeAsync();
    }
}
