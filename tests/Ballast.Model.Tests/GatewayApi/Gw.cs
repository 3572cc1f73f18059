using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Resources.GatewayApi;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Tests.GatewayApi;

/// <summary>Gateway API objects written as YAML, the way users write them, compiled with Services from the same text.</summary>
internal static class Gw
{
    public const string Class = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: { name: ballast }
        spec: { controllerName: ballast.dev/gateway-controller }
        """;

    /// <summary>A Service <paramref name="name"/> on port 8080 with one endpoint per address.</summary>
    public static string Service(string name, string ns = "default", params string[] addresses) => $"""
        ---
        apiVersion: v1
        kind: Service
        metadata: {"{"} name: {name}, namespace: {ns} {"}"}
        spec: {"{"} ports: [ {"{"} name: http, port: 8080 {"}"} ] {"}"}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {"{"} name: {name}-1, namespace: {ns}, labels: {"{"} kubernetes.io/service-name: {name} {"}"} {"}"}
        ports: [ {"{"} name: http, port: 9000 {"}"} ]
        endpoints: [ {string.Join(", ", (addresses.Length == 0 ? ["10.0.0.1"] : addresses).Select(a => $"{{ addresses: [ {a} ] }}"))} ]
        """;

    public static string Gateway(string listeners, string name = "gw", string ns = "default", string extra = "") => $"""
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {"{"} name: {name}, namespace: {ns}{extra} {"}"}
        spec:
          gatewayClassName: ballast
          listeners:
        {Indent(listeners, 4)}
        """;

    public static string Route(string spec, string name = "r", string ns = "default", string kind = "HTTPRoute", string extra = "") => $"""
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: {kind}
        metadata: {"{"} name: {name}, namespace: {ns}{extra} {"}"}
        spec:
        {Indent(spec, 2)}
        """;

    public static string Indent(string text, int by) =>
        string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', by) + l));

    public static CompileResult Compile(params string[] docs) =>
        Compilation.Yaml.Compile(string.Join("\n", docs), loaderWarnings: true, fileName: "gw.yaml");

    public static GatewayStatus GatewayStatus(this CompileResult r, string name = "gw", string ns = "default") =>
        (GatewayStatus)r.Statuses[new ResourceKey("Gateway", ns, name)].KindStatus!;

    public static RouteStatus RouteStatus(this CompileResult r, string name = "r", string ns = "default", string kind = "HTTPRoute") =>
        (RouteStatus)r.Statuses[new ResourceKey(kind, ns, name)].KindStatus!;

    /// <summary><c>Type=Status/Reason</c> of each condition, for compact assertions.</summary>
    public static string[] Brief(this IEnumerable<GatewayCondition> conditions) => [.. conditions.Select(c => $"{c.Type}={c.Status}/{c.Reason}")];

    public static ListenerSnapshot Port(this CompileResult r, int port) => r.Snapshot.Listeners.Single(l => l.Port == port);

    /// <summary>Each route of a listener as <c>hosts path-kind path → backends</c>, in match order.</summary>
    public static string[] Table(this ListenerSnapshot l) => [.. l.Routes.Select(x =>
        $"{string.Join(",", x.Match.Hosts)} {x.Match.PathKind} {x.Match.Path}{(x.Match.Methods.IsEmpty ? "" : " " + string.Join(",", x.Match.Methods))}" +
        $"{string.Concat(x.Match.Headers.Select(h => $" h:{h.Name}"))}{string.Concat(x.Match.Query.Select(q => $" q:{q.Name}"))} → " +
        string.Join(",", x.Backends.Select(b => b.Status is { } s ? $"{s}x{b.Weight}" : $"{b.PoolId}x{b.Weight}")))];
}
