#:project ../src/Ingress/Ballast.Ingress.csproj
#:property PublishAot=false
// TCP throughput through Ballast's L4 proxy on loopback, iperf-style: N streams push bytes for a few seconds
// to a discard backend, first directly (baseline), then through a TcpProxyListener. Release build:
//   dotnet run -c Release docs/l4-throughput.cs -- [seconds=5] [streams=4] [proxyBufferKiB=32]
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.L4;
using Ballast.Ingress.L4.Metrics;
using Ballast.Ingress.L4.Tcp;
using Ballast.Ingress.LoadBalancing;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

var seconds = args.Length > 0 ? int.Parse(args[0]) : 5;
var streams = args.Length > 1 ? int.Parse(args[1]) : 4;
var bufferKiB = args.Length > 2 ? int.Parse(args[2]) : 32;

using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
sink.Listen(128);
_ = Task.Run(async () =>
{
    while (true)
    {
        var s = await sink.AcceptAsync();
        _ = Task.Run(async () =>
        {
            var buffer = new byte[256 * 1024];
            try { while (await s.ReceiveAsync(buffer, SocketFlags.None) > 0) { } } catch (SocketException) { }
            s.Dispose();
        });
    }
});
var sinkAddress = (IPEndPoint)sink.LocalEndPoint!;

var source = new OneEndpoint(new EndpointState(new EndpointSnapshot { Host = "127.0.0.1", Port = sinkAddress.Port }));
await using var proxy = new TcpProxyListener(new L4ListenerOptions
{
    Name = "bench",
    Metrics = new L4Metrics(Prometheus.Metrics.NewCustomRegistry()),
    BufferSize = bufferKiB * 1024,
}, source);
proxy.Start();

await Run("warm-up (proxy)", proxy.LocalEndPoint, 1);
var direct = await Run("direct", sinkAddress, seconds);
var proxied = await Run("through proxy", proxy.LocalEndPoint, seconds);
Console.WriteLine($"proxy/direct = {proxied / direct:P0}; streams={streams}, proxy buffer={bufferKiB} KiB, cores={Environment.ProcessorCount}");

async Task<double> Run(string name, IPEndPoint target, int duration)
{
    var payload = new byte[128 * 1024];
    Random.Shared.NextBytes(payload);
    long total = 0;
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, streams).Select(async _ =>
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(target);
        var end = Stopwatch.GetTimestamp() + duration * Stopwatch.Frequency;
        long sent = 0;
        while (Stopwatch.GetTimestamp() < end) sent += await s.SendAsync(payload, SocketFlags.None);
        Interlocked.Add(ref total, sent);
    }));
    var elapsed = clock.Elapsed.TotalSeconds;
    var cpuUsed = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
    var gbps = total * 8 / elapsed / 1e9;
    Console.WriteLine($"{name,-16} {gbps,6:F2} Gbit/s  ({total / (1024.0 * 1024 * 1024):F2} GiB in {elapsed:F1} s, process CPU {cpuUsed / elapsed:F2} cores incl. client and sink)");
    return gbps;
}

sealed class OneEndpoint(EndpointState endpoint) : IL4EndpointSource
{
    public string PoolId => "bench/sink";
    public TimeSpan ConnectTimeout => TimeSpan.FromSeconds(2);
    public ProxyProtocolVersion ProxyProtocol => ProxyProtocolVersion.None;
    public bool HashOnClientAddress => false;
    public ConnectionLimit Connections { get; } = ConnectionLimit.Unlimited();
    public EndpointState? Pick(in PickContext context) => endpoint;
    public void ReportConnectFailure(EndpointState e) { }
    public void ReportConnectSuccess(EndpointState e) { }
}
