using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Ballast.Model.Compilation;
using Ballast.Operator.Reconcile;
using Ballast.Operator.Tests.Support;
using k8s;
using k8s.Models;

namespace Ballast.Operator.Tests.Status;

/// <summary>
/// Issue 20 in a cluster: Ingresses and IngressClasses applied as kubectl would, the operator serving them through a
/// replica, and what `kubectl get/describe ingress` would show: <c>status.loadBalancer.ingress</c> from the ingress
/// Service's load balancer, one Warning event per unsupported or malformed annotation (an Ingress's status has no
/// conditions), the operator's <c>ballast_unsupported_annotations</c>; the IngressClass decides what is served.
/// </summary>
[Trait("Category", "Integration")]
public sealed class IngressOperatorTests
{
    private const string Snippet = "nginx.ingress.kubernetes.io/configuration-snippet";
    private const string LimitRps = "nginx.ingress.kubernetes.io/limit-rps";

    /// <summary>The ingress Service (type LoadBalancer), namespace shop with Service web, and the IngressClasses ballast (ours) and nginx.</summary>
    private const string Cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: ballast-system }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: ballast-ingress, namespace: ballast-system }
        spec:
          type: LoadBalancer
          ports: [ { name: http, port: 80, targetPort: 8080 } ]
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: shop }
        ---
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: { name: ballast }
        spec: { controller: ballast.dev/ingress-controller }
        ---
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: { name: nginx }
        spec: { controller: k8s.io/ingress-nginx }
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: web, namespace: shop }
        spec: { ports: [ { name: http, port: 80 } ] }
        """;

    private static string Manifest(int backendPort) => Cluster + "\n---\n" + $$"""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: { name: web-1, namespace: shop, labels: { kubernetes.io/service-name: web } }
        addressType: IPv4
        ports: [ { name: http, port: {{backendPort}} } ]
        endpoints: [ { addresses: [ 127.0.0.1 ], conditions: { ready: true } } ]
        ---
        {{Ingress("web", "ballast", $"{Snippet}: \"more_set_headers 'X-Injected: yes';\", nginx.ingress.kubernetes.io/upstream-vhost: internal.web")}}
        ---
        {{Ingress("fast", "ballast", $"{LimitRps}: fast")}}
        ---
        {{Ingress("theirs", "nginx")}}
        ---
        {{Ingress("unclassed", null)}}
        ---
        {{Ingress("lost", "ballast", service: "gone")}}
        ---
        {{Ingress("secure", "ballast", tlsSecret: "secure-tls")}}
        """;

    /// <summary>An Ingress for host <c>name.example.com</c> → Service <paramref name="service"/>:80, as YAML (interpolated holes keep no indentation: flow style).</summary>
    private static string Ingress(string name, string? className, string annotations = "", string service = "web", string? tlsSecret = null) =>
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\n"
        + $"metadata: {{ name: {name}, namespace: shop, annotations: {{ {annotations} }} }}\n"
        + "spec: { " + (className is null ? "" : $"ingressClassName: {className}, ")
        + (tlsSecret is null ? "" : $"tls: [ {{ hosts: [ {name}.example.com ], secretName: {tlsSecret} }} ], ")
        + $"rules: [ {{ host: {name}.example.com, http: {{ paths: [ "
        + $"{{ path: /, pathType: Prefix, backend: {{ service: {{ name: {service}, port: {{ number: 80 }} }} }} }} ] }} }} ] }}";

    [Fact]
    public async Task Served_Ingresses_get_the_load_balancer_address_one_Warning_event_per_problem_and_the_metric_and_the_class_decides_what_is_served()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        var httpPort = FreePort.Next();
        var httpsPort = FreePort.Next();
        await using var op = await OperatorHost.StartAsync(OperatorFixture.Options(cluster) with
        {
            Addresses = new AddressSources { IngressService = "ballast-system/ballast-ingress" },
            Ingress = new IngressServing(httpPort, httpsPort),
        });
        await using var backend = await TestBackend.StartAsync("web");
        var state = Directory.CreateTempSubdirectory("ballast-ingress-op-").FullName;
        var replica = await Replica.StartAsync("replica-0", IPAddress.Loopback, op.SnapshotUri, OperatorFixture.Token, state);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        async Task<HttpStatusCode> GetAsync(string host)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
            try
            {
                using var response = await client.SendAsync(request);
                return response.StatusCode;
            }
            catch (HttpRequestException)
            {
                return 0; // the replica has not bound the Ingress port yet
            }
        }
        try
        {
            await Manifests.ApplyAsync(cluster.Api, Manifests.Parse(Manifest(backend.Port)));

            // Traffic through the replica: ours is served (its supported annotation applied), the malformed one and
            // another controller's are not, nor one that names no class while no class is the default.
            await Eventually.GetAsync(() => GetAsync("web.example.com"), s => s == HttpStatusCode.OK, "web.example.com served through the replica");
            // Applied after the three below: once the replica serves it, their 404s are decisions, not a snapshot still on its way.
            await Eventually.GetAsync(() => GetAsync("lost.example.com"), s => s == HttpStatusCode.ServiceUnavailable, "lost.example.com served, its Service missing");
            Assert.Equal(HttpStatusCode.NotFound, await GetAsync("fast.example.com"));
            Assert.Equal(HttpStatusCode.NotFound, await GetAsync("theirs.example.com"));
            Assert.Equal(HttpStatusCode.NotFound, await GetAsync("unclassed.example.com"));

            // The cloud gives the ingress Service an address: the served, accepted Ingress shows it, no other does.
            await cluster.Client.CoreV1.PatchNamespacedServiceStatusAsync(
                new V1Patch("""{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.10"},{"hostname":"lb.example.com"}]}}}""", V1Patch.PatchType.MergePatch),
                "ballast-ingress", "ballast-system");
            var web = await Eventually.GetAsync(() => cluster.Client.NetworkingV1.ReadNamespacedIngressAsync("web", "shop"),
                i => i.Status?.LoadBalancer?.Ingress?.Count > 0, "status.loadBalancer on the served Ingress");
            Assert.Equal(new (string?, string?)[] { ("203.0.113.10", null), (null, "lb.example.com") },
                web.Status.LoadBalancer.Ingress.Select(i => ((string?)i.Ip, (string?)i.Hostname)));
            Assert.Empty((await cluster.Client.NetworkingV1.ReadNamespacedIngressAsync("fast", "shop")).Status?.LoadBalancer?.Ingress ?? []);
            Assert.Empty((await cluster.Client.NetworkingV1.ReadNamespacedIngressAsync("theirs", "shop")).Status?.LoadBalancer?.Ingress ?? []);

            // kubectl describe: one Warning per problem, on the Ingress it is about.
            var events = await Eventually.GetAsync(() => WarningsAsync(cluster), e => e.Count >= 4, "the Warning events");
            Assert.Equal([("fast", "InvalidAnnotation"), ("lost", "ServiceNotFound"), ("secure", "SecretNotFound"), ("web", "UnsupportedAnnotation")],
                events.Select(e => (e.InvolvedObject.Name, e.Reason)).Order());
            Assert.Equal($"metadata.annotations[\"{LimitRps}\"]: \"fast\" is not a number", events.Single(e => e.Reason == "InvalidAnnotation").Message);
            Assert.StartsWith($"metadata.annotations[\"{Snippet}\"]: not applied: ", events.Single(e => e.Reason == "UnsupportedAnnotation").Message);
            Assert.All(events, e => Assert.Equal(("networking.k8s.io/v1", "Ingress", "shop", "ballast-operator"),
                (e.InvolvedObject.ApiVersion, e.InvolvedObject.Kind, e.InvolvedObject.NamespaceProperty, e.Source.Component)));
            Assert.All(events, e => Assert.NotNull(e.InvolvedObject.Uid));

            // The TLS Secret the Ingress names appears: the operator watches it, and the replica serves its certificate.
            var (certificate, key) = SelfSignedCertificate.Create("secure.example.com");
            await Manifests.ApplyAsync(cluster.Api, Manifests.Parse($$"""
                apiVersion: v1
                kind: Secret
                metadata: { name: secure-tls, namespace: shop }
                type: kubernetes.io/tls
                data: { tls.crt: {{Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate))}}, tls.key: {{Convert.ToBase64String(Encoding.ASCII.GetBytes(key))}} }
                """));
            Assert.Equal("CN=secure.example.com", await Eventually.GetAsync<string?>(() => ServedSubjectAsync(httpsPort, "secure.example.com"),
                s => s is not null, "the Ingress's certificate on the HTTPS port"));

            using var metrics = new HttpClient { BaseAddress = op.MetricsUri };
            var scrape = await metrics.GetStringAsync("/metrics");
            Assert.Equal(1, PrometheusScrape.Value(scrape, $"ballast_unsupported_annotations{{ingress=\"shop/web\",annotation=\"{Snippet}\"}}"));
            Assert.Equal(1, PrometheusScrape.Value(scrape, $"ballast_unsupported_annotations{{ingress=\"shop/fast\",annotation=\"{LimitRps}\"}}"));

            // Our class becomes the default: the Ingress that names none is served, and gets the address too.
            await Manifests.ApplyAsync(cluster.Api, Manifests.Parse("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata: { name: ballast, annotations: { ingressclass.kubernetes.io/is-default-class: "true" } }
                spec: { controller: ballast.dev/ingress-controller }
                """));
            await Eventually.GetAsync(() => GetAsync("unclassed.example.com"), s => s == HttpStatusCode.OK, "the unclassed Ingress served by the default class");
            await Eventually.GetAsync(() => cluster.Client.NetworkingV1.ReadNamespacedIngressAsync("unclassed", "shop"),
                i => i.Status?.LoadBalancer?.Ingress?.Count == 2, "status.loadBalancer on the newly served Ingress");

            // Fixing the malformed value serves it; the unsupported annotation was recorded once, through every pass since.
            var fixedFast = Manifests.Parse(Manifest(backend.Port)).Single(o => o["kind"]!.GetValue<string>() == "Ingress" && o["metadata"]!["name"]!.GetValue<string>() == "fast");
            fixedFast["metadata"]!["annotations"]![LimitRps] = "50";
            await Manifests.ApplyAsync(cluster.Api, [fixedFast]);
            await Eventually.GetAsync(() => GetAsync("fast.example.com"), s => s == HttpStatusCode.OK, "fast.example.com served once its annotation is fixed");
            await Eventually.GetAsync(() => cluster.Client.NetworkingV1.ReadNamespacedIngressAsync("fast", "shop"),
                i => i.Status?.LoadBalancer?.Ingress?.Count == 2, "the fixed Ingress gets the address");
            Assert.Single(await WarningsAsync(cluster), e => e.Reason == "UnsupportedAnnotation");
            scrape = await metrics.GetStringAsync("/metrics");
            Assert.Null(PrometheusScrape.Value(scrape, $"ballast_unsupported_annotations{{ingress=\"shop/fast\",annotation=\"{LimitRps}\"}}"));
            Assert.Equal(1, PrometheusScrape.Value(scrape, $"ballast_unsupported_annotations{{ingress=\"shop/web\",annotation=\"{Snippet}\"}}"));
        }
        finally
        {
            await replica.DisposeAsync();
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task An_Ingress_that_stops_being_ours_loses_the_address_Ballast_wrote_and_another_controllers_address_stays()
    {
        await using var cluster = await EmulatedCluster.StartAsync();
        await using var op = await OperatorHost.StartAsync(OperatorFixture.Options(cluster) with
        {
            Addresses = new AddressSources { IngressService = "ballast-system/ballast-ingress" },
            Ingress = new IngressServing(FreePort.Next(), FreePort.Next()),
        });
        await Manifests.ApplyAsync(cluster.Api, Manifests.Parse(Cluster + "\n---\n" + $$"""
            {{Ingress("moving", "ballast")}}
            ---
            {{Ingress("staying", "ballast")}}
            ---
            {{Ingress("theirs", "nginx")}}
            """));
        await cluster.Client.CoreV1.PatchNamespacedServiceStatusAsync(
            new V1Patch("""{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.10"}]}}}""", V1Patch.PatchType.MergePatch), "ballast-ingress", "ballast-system");
        // ingress-nginx writes its own address on its Ingress.
        await cluster.Client.NetworkingV1.PatchNamespacedIngressStatusAsync(
            new V1Patch("""{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.7"}]}}}""", V1Patch.PatchType.MergePatch), "theirs", "shop");
        async Task<string> AddressOf(string name) => string.Join(",",
            (await cluster.Client.NetworkingV1.ReadNamespacedIngressAsync(name, "shop")).Status?.LoadBalancer?.Ingress?.Select(i => i.Ip ?? i.Hostname) ?? []);
        await Eventually.GetAsync(() => AddressOf("moving"), a => a == "203.0.113.10", "Ballast's address on the Ingress of class ballast");
        await Eventually.GetAsync(() => AddressOf("staying"), a => a == "203.0.113.10", "Ballast's address on the other Ingress of class ballast");

        // The Ingress moves to ingress-nginx: the address Ballast wrote goes; the one ingress-nginx wrote on its own stays.
        await Manifests.ApplyAsync(cluster.Api, Manifests.Parse(Ingress("moving", "nginx")));
        await Eventually.GetAsync(() => AddressOf("moving"), a => a.Length == 0, "the address cleared once the Ingress names another controller's class");
        Assert.Equal("198.51.100.7", await AddressOf("theirs"));
        Assert.Equal("203.0.113.10", await AddressOf("staying"));

        // Another controller now owns it and writes its address: Ballast leaves that alone, however often it reconciles.
        await cluster.Client.NetworkingV1.PatchNamespacedIngressStatusAsync(
            new V1Patch("""{"status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.7"}]}}}""", V1Patch.PatchType.MergePatch), "moving", "shop");

        // Our IngressClass is deleted: nothing of class ballast is ours any more.
        await cluster.Client.NetworkingV1.DeleteIngressClassAsync("ballast");
        await Eventually.GetAsync(() => AddressOf("staying"), a => a.Length == 0, "the address cleared once the IngressClass is gone");
        Assert.Equal("198.51.100.7", await AddressOf("moving"));
        Assert.Equal("198.51.100.7", await AddressOf("theirs"));
    }

    /// <summary>The subject of the certificate served for <paramref name="sni"/>; null while there is none (or nothing listens).</summary>
    private static async Task<string?> ServedSubjectAsync(int port, string sni)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true); // self-signed: whose it is is what counts
            await tls.AuthenticateAsClientAsync(sni).WaitAsync(TimeSpan.FromSeconds(5));
            return tls.RemoteCertificate?.Subject;
        }
        catch (Exception e) when (e is IOException or SocketException or TimeoutException or System.Security.Authentication.AuthenticationException)
        {
            return null;
        }
    }

    private static async Task<List<Corev1Event>> WarningsAsync(EmulatedCluster cluster) =>
        [.. (await cluster.Client.CoreV1.ListNamespacedEventAsync("shop")).Items.Where(e => e.Type == "Warning" && e.InvolvedObject.Kind == "Ingress")];
}
