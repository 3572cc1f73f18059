using System.Text;
using Ballast.Model.Yaml;

namespace Ballast.Model.Tests.Inputs;

/// <summary>Standalone mode reads Services, EndpointSlices and Secrets from the folder in place of a cluster.</summary>
public class ClusterObjectLoadingTests
{
    [Fact]
    public void A_service_gets_the_endpoints_of_its_slices_per_port_name_with_their_conditions()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: v1
            kind: Service
            metadata: { name: echo, namespace: shop, labels: { app: echo } }
            spec:
              selector: { app: echo }
              ports: [ { name: http, port: 80, targetPort: 8080 }, { name: grpc, port: 81, appProtocol: kubernetes.io/h2c } ]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: { name: echo-abc, namespace: shop, labels: { kubernetes.io/service-name: echo } }
            addressType: IPv4
            ports: [ { name: http, port: 8080 }, { name: grpc, port: 9090 } ]
            endpoints:
              - addresses: [ 10.0.0.2 ]
              - addresses: [ 10.0.0.1 ]
                conditions: { ready: false, serving: true, terminating: true }
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: not-ours }
            data: { a: b }
            """, "svc.yaml");
        Assert.Empty(r.Diagnostics);
        var svc = r.Services["shop/echo"];
        var http = Assert.Single(svc.Ports, p => p.Name == "http");
        Assert.Equal(80, http.Port);
        Assert.Equal(["10.0.0.1:8080 draining", "10.0.0.2:8080 ready"],
            http.Endpoints.Select(e => $"{e.Address}:{e.Port} {(e.Ready ? "ready" : e.Terminating && e.Serving ? "draining" : "?")}"));
        Assert.Equal([9090, 9090], svc.Ports.Single(p => p.Name == "grpc").Endpoints.Select(e => e.Port));
        Assert.Equal("kubernetes.io/h2c", svc.AppProtocols[81]);
    }

    [Fact]
    public void A_tls_secret_is_decoded_and_string_data_wins()
    {
        var r = ResourceLoader.LoadText($"""
            apiVersion: v1
            kind: Secret
            metadata: {"{"} name: cert, namespace: shop {"}"}
            type: kubernetes.io/tls
            data:
              tls.crt: {Convert.ToBase64String("CERT"u8)}
              tls.key: {Convert.ToBase64String("old"u8)}
            stringData:
              tls.key: KEY
            """, "secret.yaml");
        Assert.Empty(r.Diagnostics);
        var secret = r.Secrets["shop/cert"];
        Assert.Equal("kubernetes.io/tls", secret.Type);
        Assert.Equal("CERT", Encoding.UTF8.GetString(secret.Data["tls.crt"]));
        Assert.Equal("KEY", Encoding.UTF8.GetString(secret.Data["tls.key"]));
    }

    [Fact]
    public void Secret_data_that_is_not_base64_names_the_key()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: v1
            kind: Secret
            metadata: { name: cert }
            data: { tls.crt: "not base64!" }
            """, "secret.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("secret.yaml:1:1: Secret default/cert: data.tls.crt: not valid base64 (put plain text under stringData instead)", d.ToString());
    }

    [Fact]
    public void A_service_whose_port_is_not_a_number_names_file_line_and_field()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: v1
            kind: Service
            metadata: { name: echo }
            spec:
              ports:
                - port: http
            """, "svc.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("svc.yaml:6:13: Service default/echo: spec.ports[0].port: expected an integer, got \"http\"", d.ToString());
        Assert.Empty(r.Services);
    }
}
