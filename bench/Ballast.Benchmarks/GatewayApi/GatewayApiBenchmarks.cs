using Ballast.Ingress.Metrics;
using Ballast.Ingress.Routing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Compilation;
using Ballast.Model.Snapshots;
using Ballast.Model.Yaml;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace Ballast.Benchmarks.GatewayApi;

/// <summary>
/// Gateway API at scale, through the real loader and Compiler: one Gateway (one HTTP listener), <see cref="Routes"/>
/// HTTPRoutes of <see cref="RulesPerRoute"/> prefix rules each on one Service. <c>Compile</c> is the operator's cost
/// per change for 1,000 HTTPRoutes; <c>Route</c> is one lookup among 10,000 rules (the same route index as native
/// routes, so it should stay flat), the request asking for the last rule.
/// </summary>
[MemoryDiagnoser]
public class GatewayApiBenchmarks
{
    private CompilerInput _input = new();
    private ListenerRouter _router = null!;
    private HttpRequest _request = null!;

    // 10 routes (100 rules) beside 1,000 (10,000 rules): the lookup must not grow with the table.
    [Params(10, 1000)]
    public int Routes { get; set; }

    [Params(10)]
    public int RulesPerRoute { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var yaml = new System.Text.StringBuilder("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: { name: ballast }
            spec: { controllerName: ballast.dev/gateway-controller }
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: { name: gw }
            spec: { gatewayClassName: ballast, listeners: [ { name: http, port: 8080, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } } ] }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: echo }
            spec: { ports: [ { name: http, port: 8080 } ] }
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: { name: echo-1, labels: { kubernetes.io/service-name: echo } }
            ports: [ { name: http, port: 9000 } ]
            endpoints: [ { addresses: [ 10.0.0.1 ] }, { addresses: [ 10.0.0.2 ] } ]

            """);
        for (var r = 0; r < Routes; r++)
        {
            yaml.Append($"---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{ name: route-{r} }}\nspec:\n  parentRefs: [ {{ name: gw }} ]\n  rules:\n");
            for (var i = 0; i < RulesPerRoute; i++)
                yaml.Append($"    - {{ matches: [ {{ path: {{ value: /svc{r}/r{i} }} }} ], backendRefs: [ {{ name: echo, port: 8080 }} ] }}\n");
        }
        var loaded = ResourceLoader.LoadText(yaml.ToString(), "bench.yaml");
        if (loaded.HasErrors) throw new InvalidOperationException("benchmark input does not load: " + loaded.Diagnostics[0]);
        _input = new CompilerInput { Inputs = loaded.Inputs, Services = loaded.Services, Version = 1 };
        var compiled = Compiler.Compile(_input);
        if (compiled.HasErrors || compiled.Snapshot.Listeners.Length != 1) throw new InvalidOperationException("benchmark input does not compile");

        var metrics = new IngressMetrics();
        var listener = compiled.Snapshot.Listeners[0];
        var pools = new Dictionary<string, PoolRuntime>();
        var routes = listener.Routes.Select(r => new RouteRuntime(r, pools, metrics)).ToArray();
        _router = new ListenerRouter(listener, routes, metrics.NoRoute.WithLabels("bench"));
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("bench.example.com");
        context.Request.Method = "GET";
        context.Request.Path = $"/svc{Routes - 1}/r{RulesPerRoute - 1}/x";
        _request = context.Request;
    }

    [Benchmark]
    public CompileResult Compile() => Compiler.Compile(_input);

    [Benchmark]
    public RouteRuntime? Route() => _router.Match(_request);
}
