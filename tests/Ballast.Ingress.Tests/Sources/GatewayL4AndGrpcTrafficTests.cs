using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Ingress.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Ballast.Ingress.Tests.Sources;

/// <summary>
/// Traffic through GRPCRoute, TLSRoute, TCPRoute and UDPRoute in standalone mode: the objects in YAML, real clients and
/// backends on sockets (gRPC over h2c, TLS with the backends' own certificates, TCP and UDP echoes).
/// </summary>
[Trait("Category", "Integration")]
public sealed class GatewayL4AndGrpcTrafficTests
{
    private static Task<TestBackend> GrpcBackendAsync(string name) => TestBackend.StartAsync(name, protocols: HttpProtocols.Http2, configureServices: builder =>
    {
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(_ =>
        {
            var health = new HealthServiceImpl();
            health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
            return health;
        });
    }, configure: app => app.MapGrpcService<HealthServiceImpl>());

    [Fact]
    public async Task Grpc_calls_are_routed_by_service_and_method_and_spread_per_call_over_one_connection()
    {
        await using var a = await GrpcBackendAsync("check-a");
        await using var b = await GrpcBackendAsync("check-b");
        await using var watch = await GrpcBackendAsync("watch");
        var port = FreePort.Next();
        await using var ingress = await IngressFixture.StartAsync();
        await using var folder = await StandaloneFolder.LoadAsync(ingress, ("all.yaml", GatewayApiYaml.Gateway($"{{ name: grpc, port: {port}, protocol: HTTP }}") + """
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: { name: health }
            spec:
              parentRefs: [ { name: gw } ]
              rules:
                - matches: [ { method: { service: grpc.health.v1.Health, method: Check } } ]
                  backendRefs: [ { name: check, port: 8080 } ]
                - matches: [ { method: { service: grpc.health.v1.Health, method: Watch } } ]
                  backendRefs: [ { name: watch, port: 8080 } ]

            """ + GatewayApiYaml.Service("default", "check", a.Port, b.Port) + GatewayApiYaml.Service("default", "watch", watch.Port)));

        // One channel: one HTTP/2 connection to Ballast, over which every call is balanced on its own.
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new Grpc.Health.V1.Health.HealthClient(channel);
        const int calls = 100;
        for (var i = 0; i < calls; i++)
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await client.CheckAsync(new HealthCheckRequest())).Status);
        using (var stream = client.Watch(new HealthCheckRequest()))
        {
            Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, stream.ResponseStream.Current.Status);
        }
        var missing = await Assert.ThrowsAsync<RpcException>(async () =>
            await channel.CreateCallInvoker().AsyncUnaryCall(new Method<HealthCheckRequest, HealthCheckResponse>(MethodType.Unary, "grpc.health.v1.Other", "Check",
                Marshallers.Create(r => r.ToByteArray(), HealthCheckRequest.Parser.ParseFrom), Marshallers.Create(r => r.ToByteArray(), HealthCheckResponse.Parser.ParseFrom)),
                null, new CallOptions(), new HealthCheckRequest()));

        // Round robin per call: exactly half each, although all calls shared one client connection.
        Assert.Equal(calls / 2, a.Requests);
        Assert.Equal(calls / 2, b.Requests);
        Assert.Equal(1, watch.Requests);
        Assert.Equal(StatusCode.Unimplemented, missing.StatusCode); // no rule for that service: 404 from the proxy
    }

    [Fact]
    public async Task Tls_tcp_and_udp_routes_carry_traffic_through_the_l4_path()
    {
        await using var tlsA = new TlsBackend("a", "a.example.test");
        await using var tlsB = new TlsBackend("b", "b.example.test");
        await using var tcp = new TcpBackend("tcp");
        using var udp = new UdpEchoBackend("udp");
        var (tlsPort, tcpPort, udpPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        await using var ingress = await IngressFixture.StartAsync();
        await using var folder = await StandaloneFolder.LoadAsync(ingress, ("all.yaml", GatewayApiYaml.Gateway(
            $"{{ name: tls, port: {tlsPort}, protocol: TLS, tls: {{ mode: Passthrough }} }}",
            $"{{ name: tcp, port: {tcpPort}, protocol: TCP }}",
            $"{{ name: udp, port: {udpPort}, protocol: UDP }}") + """
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: { name: a }
            spec:
              parentRefs: [ { name: gw, sectionName: tls } ]
              hostnames: [ a.example.test ]
              rules: [ { backendRefs: [ { name: tls-a, port: 8080 } ] } ]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: { name: b }
            spec:
              parentRefs: [ { name: gw, sectionName: tls } ]
              hostnames: [ "*.b.example.test", b.example.test ]
              rules: [ { backendRefs: [ { name: tls-b, port: 8080 } ] } ]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: { name: tcp }
            spec:
              parentRefs: [ { name: gw, sectionName: tcp } ]
              rules: [ { backendRefs: [ { name: tcp, port: 8080 } ] } ]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: UDPRoute
            metadata: { name: udp }
            spec:
              parentRefs: [ { name: gw, sectionName: udp } ]
              rules: [ { backendRefs: [ { name: udp, port: 8080 } ] } ]

            """ + GatewayApiYaml.Service("default", "tls-a", tlsA.Port) + GatewayApiYaml.Service("default", "tls-b", tlsB.Port)
              + GatewayApiYaml.Service("default", "tcp", tcp.Port) + GatewayApiYaml.Service("default", "udp", udp.Port)));

        // TLSRoute: the SNI name picks the backend; the client sees that backend's own certificate (passthrough).
        var (answerA, certA) = await TlsExchangeAsync(tlsPort, "a.example.test");
        var (answerB, certB) = await TlsExchangeAsync(tlsPort, "b.example.test");
        Assert.Equal(("a:hello", tlsA.Certificate.Thumbprint), (answerA, certA.Thumbprint));
        Assert.Equal(("b:hello", tlsB.Certificate.Thumbprint), (answerB, certB.Thumbprint));

        // TCPRoute: bytes both ways, the half-close carried through.
        using (var socket = await SocketIo.ConnectAsync(new IPEndPoint(IPAddress.Loopback, tcpPort)))
        {
            await SocketIo.SendAllAsync(socket, Encoding.ASCII.GetBytes("over tcp"));
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal("over tcp", Encoding.ASCII.GetString(await SocketIo.ReadToEndAsync(socket)));
        }

        // UDPRoute: a datagram and its answer.
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await client.SendToAsync(Encoding.ASCII.GetBytes("c1:over udp"), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, udpPort));
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        Assert.Equal("udp|c1:over udp", Encoding.ASCII.GetString(buffer, 0, received));
    }

    private static async Task<(string Answer, X509Certificate2 Seen)> TlsExchangeAsync(int port, string host)
    {
        using var socket = await SocketIo.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        X509Certificate2? seen = null;
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = (_, cert, _, _) => { seen = new X509Certificate2(cert!); return true; },
        }).WaitAsync(TimeSpan.FromSeconds(10));
        await ssl.WriteAsync(Encoding.ASCII.GetBytes("hello\n"));
        using var reader = new StreamReader(ssl, Encoding.ASCII);
        var answer = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return (answer!, seen!);
    }
}
