namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// The Gateway API objects the tests share, as users write them, for a <see cref="StandaloneFolder"/>: Ballast's
/// GatewayClass, a Gateway <c>gw</c> bound to 127.0.0.1, and Services with the EndpointSlices that stand for a cluster's.
/// </summary>
public static class GatewayApiYaml
{
    /// <summary>Ballast's GatewayClass <c>ballast</c> and the Gateway <c>gw</c> of that class on 127.0.0.1 with these listeners.</summary>
    /// <param name="listeners">The listeners, one YAML flow mapping each (<c>{ name: http, port: 8080, protocol: HTTP }</c>).</param>
    public static string Gateway(params string[] listeners) => $$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: { name: ballast }
        spec: { controllerName: ballast.dev/gateway-controller }
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: { name: gw }
        spec:
          gatewayClassName: ballast
          addresses: [ { type: IPAddress, value: 127.0.0.1 } ]
          listeners:
        {{string.Join("\n", listeners.Select(l => "    - " + l))}}

        """;

    /// <summary>A Service (port 8080, named http) whose EndpointSlices point at each of <paramref name="ports"/> on 127.0.0.1.</summary>
    public static string Service(string ns, string name, params int[] ports) => $$"""
        ---
        apiVersion: v1
        kind: Service
        metadata: { name: {{name}}, namespace: {{ns}} }
        spec: { ports: [ { name: http, port: 8080 } ] }

        """ + string.Concat(ports.Select((port, i) => $$"""
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: { name: {{name}}-{{i}}, namespace: {{ns}}, labels: { kubernetes.io/service-name: {{name}} } }
        ports: [ { name: http, port: {{port}} } ]
        endpoints: [ { addresses: [ 127.0.0.1 ] } ]

        """));
}
