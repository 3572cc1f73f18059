using System.Net;
using Ballast.Ingress.AccessLog;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Forwarding;
using Ballast.Ingress.Http;
using Ballast.Ingress.Listeners;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.Tests.Support;
using Ballast.Ingress.Tls;
using Ballast.Ingress.Tracing;
using Ballast.Ingress.Transforms;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Benchmarks.Proxy;

/// <summary>
/// What Ballast adds per request around YARP's forwarder, in process, without sockets: <c>Ballast</c> runs
/// <see cref="ProxyMiddleware"/> (listener, route, pool, balancer, circuit breaker, passive health, metrics,
/// X-Forwarded-* and X-Request-ID transforms) over a forwarder that only calls the transformer on a request and
/// a response message, as YARP does. <c>BareForwarder</c> is the same forwarder with YARP's default transformer
/// (what bare YARP does around the send). The difference is Ballast's own cost per request; the allocation
/// column is exact whatever the machine's load. <c>ClientRequestId</c>: the client sends a sane X-Request-ID
/// (none is generated). <c>BallastTraced1Percent</c>: the same with tracing on at 1% sampling (a span per request,
/// recorded for one in a hundred; the exporter points at a closed port, so nothing leaves the process).
/// </summary>
[MemoryDiagnoser]
public class ProxyPathBenchmarks
{
    private const int Port = 18080;

    private ProxyMiddleware _middleware = null!;
    private ProxyMiddleware _traced = null!;
    private OpenTelemetry.Trace.TracerProvider? _tracer;
    private TransformOnlyForwarder _forwarder = null!;
    private DefaultHttpContext _context = null!;
    private HttpMessageInvoker _invoker = null!;

    [Params(false, true)]
    public bool ClientRequestId { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var metrics = new IngressMetrics();
        BalancerFactory factory = (endpoints, lb) => LoadBalancerRegistry.Create(endpoints, lb);
        var dataPlane = new DataPlane(factory, metrics, TimeProvider.System, NullLogger<DataPlane>.Instance);
        dataPlane.Apply(new Snapshot
        {
            Version = 1,
            Pools = [new PoolSnapshot
            {
                Id = "bench/origins",
                Endpoints = [.. Enumerable.Range(1, 3).Select(i => new EndpointSnapshot { Host = "127.0.0.1", Port = 18080 + i })],
                LoadBalancing = new LoadBalancingSnapshot { Algorithm = LoadBalancingAlgorithm.RoundRobin },
            }],
            Listeners = [new ListenerSnapshot
            {
                Name = "http", Port = Port, Kind = ListenerKind.Http,
                Routes = [new RouteSnapshot { Id = "bench/all", Backends = [new BackendSnapshot("bench/origins", 1)] }],
            }],
        });
        _forwarder = new TransformOnlyForwarder();
        ProxyMiddleware Middleware(RequestTracing tracing) => new(dataPlane, _forwarder, metrics, new HttpsEdge(),
            new AffinityRouter(AffinityKeyRing.Random(), new AffinityMetrics(metrics), new AffinityTable(TimeProvider.System), null, TimeProvider.System),
            new ListenerShutdown(),
            // Access logs off (the bench config turns none on): the recorder's per-request check is what is measured.
            new AccessLogRecorder(dataPlane, new AccessLogQueue(new AccessLogOptions(), metrics.Registry, NullLogger.Instance),
                new AccessLogOptions(), TimeProvider.System),
            new RequestMirrors(),
            tracing);
        _middleware = Middleware(new RequestTracing(null)); // tracing off: the default
        var tracing = new TracingOptions(new Uri("http://127.0.0.1:9")) { SampleRatio = 0.01 };
        _tracer = TraceExport.Start(tracing);
        _traced = Middleware(new RequestTracing(tracing));
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        _context = new DefaultHttpContext();
        _context.Connection.LocalPort = Port;
        _context.Connection.RemoteIpAddress = IPAddress.Loopback;
        _context.Request.Method = "GET";
        _context.Request.Scheme = "http";
        _context.Request.Host = new HostString("bench.example.com");
        _context.Request.Path = "/api/orders";
        _context.Request.Headers.UserAgent = "wrk";
        Ballast().GetAwaiter().GetResult();
        if (_context.Response.StatusCode != 200 || _forwarder.Sent == 0) throw new InvalidOperationException("the request was not forwarded");
    }

    [Benchmark(Baseline = true)]
    public ValueTask<ForwarderError> BareForwarder()
    {
        Reset();
        return _forwarder.SendAsync(_context, "http://127.0.0.1:18081", _invoker, ForwarderRequestConfig.Empty, HttpTransformer.Default);
    }

    [Benchmark]
    public Task Ballast()
    {
        Reset();
        return _middleware.InvokeAsync(_context);
    }

    [Benchmark]
    public Task BallastTraced1Percent()
    {
        Reset();
        _context.Request.Headers.Remove("traceparent"); // a new trace each time, as from clients that send none
        return _traced.InvokeAsync(_context);
    }

    [GlobalCleanup]
    public void Cleanup() => _tracer?.Dispose();

    private void Reset()
    {
        // The transformer keeps a generated id on the incoming request; a new request has none (or the client's).
        if (ClientRequestId) _context.Request.Headers[RequestIds.HeaderName] = "client-id-1234";
        else _context.Request.Headers.Remove(RequestIds.HeaderName);
        _context.Response.Headers.Clear();
        _context.Response.StatusCode = 200;
    }

}
