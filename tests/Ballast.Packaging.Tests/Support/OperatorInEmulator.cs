using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Ballast.KubeEmulator;
using Ballast.KubeEmulator.Manifests;
using Ballast.Operator;
using Ballast.Testing;

namespace Ballast.Packaging.Tests.Support;

/// <summary>
/// The real operator (in process) against the API emulator, through <see cref="RecordingApiProxy"/> so every
/// API call is recorded; the repository's samples/kubernetes applied as `kubectl apply` would. Configured as the chart
/// configures it (release "ballast" in the Lease's namespace): replicas authenticate with projected tokens of the
/// ServiceAccount ballast-ingress (TokenReview), and policies' addresses come from the Service ballast-ingress.
/// </summary>
public sealed class OperatorInEmulator : IAsyncDisposable
{
    public const string IngressName = "ballast-ingress";
    /// <summary>A projected token of the ingress ServiceAccount for the operator's audience, as the kubelet writes it.</summary>
    public string ReplicaToken { get; }
    public KubeApiEmulator Api { get; }
    public RecordingApiProxy Proxy { get; }
    public OperatorHost Operator { get; }
    private readonly string _dir;

    private readonly string _leaseNamespace;

    private OperatorInEmulator(KubeApiEmulator api, RecordingApiProxy proxy, OperatorHost op, string dir, string replicaToken, string leaseNamespace)
    {
        _leaseNamespace = leaseNamespace;
        ReplicaToken = replicaToken;
        Api = api;
        Proxy = proxy;
        Operator = op;
        _dir = dir;
    }

    /// <param name="leaseNamespace">Where the leader Lease lives: the release namespace in the chart.</param>
    /// <param name="watchNamespaces">rbac.watchNamespaces; empty: every namespace.</param>
    public static async Task<OperatorInEmulator> StartAsync(string leaseNamespace = "default", string leaseName = "ballast-operator", string[]? watchNamespaces = null)
    {
        // With Gateway API's CRDs installed, so the operator watches (and needs the grants for) those kinds too.
        var api = await KubeApiEmulator.StartAsync(types: [.. ResourceType.Defaults, .. ResourceType.GatewayApi]);
        var proxy = await RecordingApiProxy.StartAsync(api.BaseUri);
        var dir = Directory.CreateTempSubdirectory("ballast-packaging-op-").FullName;
        var kubeconfig = proxy.WriteKubeconfig(Path.Combine(dir, "kubeconfig"), api.Token);
        var op = await OperatorHost.StartAsync(new OperatorOptions
        {
            Kubeconfig = kubeconfig,
            Identity = "operator-0",
            LeaseNamespace = leaseNamespace,
            LeaseName = leaseName,
            SnapshotListen = new IPEndPoint(IPAddress.Loopback, 0),
            MetricsListen = new IPEndPoint(IPAddress.Loopback, 0),
            IngressServiceAccount = $"{leaseNamespace}/{IngressName}",
            Addresses = new Operator.Reconcile.AddressSources { IngressService = $"{leaseNamespace}/{IngressName}" },
            WatchNamespaces = watchNamespaces ?? [],
            // Ingress ports apart from the samples' listener ports (8080, 8443), so both the native samples and the
            // Ingress sample are served (on the chart's ports the Ingress would take 8080 from the sample policy).
            Ingress = new Model.Compilation.IngressServing(18080, 18443),
            PollWait = TimeSpan.FromSeconds(1),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
            LeaseDuration = TimeSpan.FromSeconds(3),
        });
        var token = api.Tokens.Issue(leaseNamespace, IngressName, "ballast-operator", TimeSpan.FromHours(1));
        return new OperatorInEmulator(api, proxy, op, dir, token, leaseNamespace);
    }

    /// <summary>kubectl apply of samples/gateway-api/kubernetes: a Gateway with a route of every kind.</summary>
    public Task ApplyGatewaySamplesAsync() => KubectlApply.ApplyFilesAsync(Api,
        [.. Directory.GetFiles(RepoPaths.Of("samples", "gateway-api", "kubernetes"), "*.yaml").Order(StringComparer.Ordinal)]);

    /// <summary>
    /// kubectl apply of samples/ingress/kubernetes, with what the chart and the cluster add: the IngressClass "ballast",
    /// the echo Service's EndpointSlice, and the ingress Service with a load-balancer address (for status.loadBalancer).
    /// </summary>
    public async Task ApplyIngressSamplesAsync()
    {
        await ApplyAsync(Yaml.Documents($$"""
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: { name: ballast }
            spec: { controller: ballast.dev/ingress-controller }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: {{IngressName}}, namespace: {{_leaseNamespace}} }
            spec: { type: LoadBalancer, ports: [ { name: http, port: 80, targetPort: 8080 } ] }
            """));
        foreach (var file in Directory.GetFiles(RepoPaths.Of("samples", "ingress", "kubernetes"), "*.yaml").Order(StringComparer.Ordinal))
            await ApplyAsync(Yaml.Documents(File.ReadAllText(file)));
        await ApplyAsync([JsonNode.Parse("""
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
             "metadata":{"name":"echo-abc","namespace":"ingress-demo","labels":{"kubernetes.io/service-name":"echo"}},
             "addressType":"IPv4","ports":[{"name":"http","port":8080}],
             "endpoints":[{"addresses":["10.0.2.1"],"conditions":{"ready":true,"serving":true,"terminating":false}}]}
            """)!.AsObject()]);
        using var http = ApiClient();
        var response = await http.PatchAsync($"/api/v1/namespaces/{_leaseNamespace}/services/{IngressName}/status", new StringContent(
            """{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.10"}]}}}""", Encoding.UTF8, "application/merge-patch+json"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>kubectl apply of samples/kubernetes, plus the EndpointSlices a cluster would add for its Services.</summary>
    public async Task ApplySamplesAsync()
    {
        foreach (var file in Directory.GetFiles(RepoPaths.Of("samples", "kubernetes"), "*.yaml").Order(StringComparer.Ordinal))
            await ApplyAsync(Yaml.Documents(File.ReadAllText(file)));
        foreach (var (service, ip) in new[] { ("echo-v1", "10.0.0.1"), ("echo-v2", "10.0.1.1") })
            await ApplyAsync([JsonNode.Parse($$$"""
                {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
                 "metadata":{"name":"{{{service}}}-abc","namespace":"shop","labels":{"kubernetes.io/service-name":"{{{service}}}"}},
                 "addressType":"IPv4","ports":[{"name":"http","port":8080}],
                 "endpoints":[{"addresses":["{{{ip}}}"],"conditions":{"ready":true,"serving":true,"terminating":false}}]}
                """)!.AsObject()]);
    }

    /// <summary>A TLS Secret and a policy whose HTTPS listener references it (the samples reference no Secret).</summary>
    public async Task ApplyTlsPolicyAsync()
    {
        var (cert, key) = SelfSignedCertificate.Create("secure.example.com");
        await ApplyAsync([JsonNode.Parse($$$"""
            {"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/tls","metadata":{"name":"secure-tls","namespace":"shop"},
             "data":{"tls.crt":"{{{Convert.ToBase64String(Encoding.ASCII.GetBytes(cert))}}}","tls.key":"{{{Convert.ToBase64String(Encoding.ASCII.GetBytes(key))}}}"}}
            """)!.AsObject(), JsonNode.Parse("""
            {"apiVersion":"ballast.dev/v1alpha1","kind":"LoadBalancerPolicy","metadata":{"name":"secure","namespace":"shop"},
             "spec":{"listeners":[{"name":"https","port":8443,"protocol":"HTTPS","tls":{"certificates":[{"secretRef":"secure-tls"}]}}],
                     "routes":[{"backends":[{"pool":"echo-v1"}]}]}}
            """)!.AsObject()]);
    }

    /// <summary>kubectl apply (create, or replace when it exists), straight to the emulator.</summary>
    public Task ApplyAsync(IEnumerable<JsonObject> objects) => KubectlApply.ApplyAsync(Api, objects);

    /// <summary>Reads a Ballast resource straight from the emulator (not through the recording proxy).</summary>
    public async Task<JsonObject> GetAsync(string plural, string ns, string name)
    {
        using var http = ApiClient();
        return JsonNode.Parse(await http.GetStringAsync($"/apis/ballast.dev/v1alpha1/namespaces/{ns}/{plural}/{name}"))!.AsObject();
    }

    public static JsonObject? Condition(JsonObject obj, string type) =>
        obj["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c!["type"]!.GetValue<string>() == type)?.AsObject();

    /// <summary>An ingress replica's side of delivery: fetch the newest snapshot and report it applied.</summary>
    public async Task ReplicaAppliesNewestAsync(string replica)
    {
        using var http = new HttpClient { BaseAddress = Operator.SnapshotUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ReplicaToken);
        // The long poll answers 304 when no snapshot came within its wait (the first compile waits for every informer).
        var response = await Eventually.GetAsync(() => http.GetAsync($"/v1/snapshot?after=0&replica={replica}"),
            r => r.StatusCode != HttpStatusCode.NotModified, "the operator's first snapshot");
        response.EnsureSuccessStatusCode();
        var snapshot = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        (await http.PostAsJsonAsync($"/v1/replicas/{replica}", new { version = snapshot["version"]!.GetValue<long>() })).EnsureSuccessStatusCode();
    }

    /// <summary>A replica that connects (reports it runs nothing yet) but has not applied anything.</summary>
    public async Task ReplicaConnectsWithoutApplyingAsync(string replica)
    {
        using var http = new HttpClient { BaseAddress = Operator.SnapshotUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ReplicaToken);
        (await http.PostAsJsonAsync($"/v1/replicas/{replica}", new { version = 0 })).EnsureSuccessStatusCode();
    }

    private HttpClient ApiClient()
    {
        var http = new HttpClient { BaseAddress = Api.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Api.Token);
        return http;
    }

    private bool _operatorStopped;

    /// <summary>Stops the operator (the emulator keeps running): what the API server then holds is nobody's doing but its own.</summary>
    public async Task StopOperatorAsync()
    {
        if (_operatorStopped) return;
        _operatorStopped = true;
        await Operator.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopOperatorAsync();
        await Proxy.DisposeAsync();
        await Api.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
