using System.Diagnostics;
using System.Net;
using Ballast.Ingress.AccessLog;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Forwarding;
using Ballast.Ingress.Http;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.Tests.Support;
using Ballast.Ingress.Tls;
using Ballast.Ingress.Tracing;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Ingress.Tests.Tracing;

/// <summary>
/// "Off by default and free when off", measured in bytes rather than time: the proxy middleware over a forwarder
/// that only runs the transforms (no sockets, so every allocation of a request happens on this thread and is
/// counted exactly by <see cref="GC.GetAllocatedBytesForCurrentThread"/>).
/// </summary>
[Collection(TracingCollection.Name)]
public sealed class TracingCostTests
{
    private const int Requests = 2_000;

    [Fact]
    public void With_tracing_off_a_request_allocates_exactly_what_the_path_without_tracing_does_and_starts_no_activity()
    {
        var off = Proxy(new RequestTracing(null));
        var started = 0;
        using var listener = Listen(_ => Interlocked.Increment(ref started));

        var withoutTracing = BytesPerRequest(off.Context, () => off.Middleware.LogAndProxyAsync(off.Context, null));
        var gated = BytesPerRequest(off.Context, () => off.Middleware.InvokeAsync(off.Context));

        Assert.True(Math.Abs(gated - withoutTracing) < 1, $"with the tracing gate {gated:0.00} B/request, without {withoutTracing:0.00} B/request");
        Assert.Equal(0, started);
        Assert.Equal(2 * (Requests + 1), off.Forwarder.Sent);

        // The measurement sees a span's cost: with tracing on, the same request allocates more and starts an Activity.
        var on = Proxy(new RequestTracing(new TracingOptions(new Uri("http://127.0.0.1:1"))));
        var traced = BytesPerRequest(on.Context, () => on.Middleware.InvokeAsync(on.Context));
        Assert.True(traced > withoutTracing, $"traced {traced} B/request, untraced {withoutTracing} B/request");
        Assert.Equal(Requests + 1, started);
    }

    [Fact]
    public void A_new_trace_the_ratio_leaves_out_starts_no_activity_yet_sends_its_context_unsampled_and_costs_less_than_a_recorded_one()
    {
        var started = 0;
        using var listener = Listen(_ => Interlocked.Increment(ref started));
        var untraced = Proxy(new RequestTracing(null));
        var withoutTracing = BytesPerRequest(untraced.Context, () => untraced.Middleware.InvokeAsync(untraced.Context));

        var left = Proxy(new RequestTracing(new TracingOptions(new Uri("http://127.0.0.1:1")) { SampleRatio = 0 }));
        var leftOut = BytesPerRequest(left.Context, () => left.Middleware.InvokeAsync(left.Context));
        Assert.Equal(0, started);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", left.Context.Request.Headers["traceparent"].ToString());

        var kept = Proxy(new RequestTracing(new TracingOptions(new Uri("http://127.0.0.1:1")) { SampleRatio = 1 }));
        var recorded = BytesPerRequest(kept.Context, () => kept.Middleware.InvokeAsync(kept.Context));
        Assert.Equal(Requests + 1, started);
        Assert.True(leftOut < recorded, $"left out {leftOut:0} B/request, recorded {recorded:0} B/request, no tracing {withoutTracing:0} B/request");
    }

    private static ActivityListener Listen(Action<Activity> started)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RequestTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = started,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>Average bytes this thread allocates per call, after one warm-up call (lazy caches, first-time resizes).</summary>
    private static double BytesPerRequest(DefaultHttpContext context, Func<Task> send)
    {
        Reset(context);
        send().GetAwaiter().GetResult();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Requests; i++)
        {
            Reset(context);
            var task = send();
            Assert.True(task.IsCompletedSuccessfully, "the request completed synchronously (all its allocations are on this thread)");
        }
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Requests;
    }

    private static void Reset(DefaultHttpContext context)
    {
        context.Request.Headers.Remove("X-Request-ID");
        context.Request.Headers.Remove("traceparent");
        context.Response.Headers.Clear();
        context.Response.StatusCode = 200;
    }

    private static (ProxyMiddleware Middleware, DefaultHttpContext Context, TransformOnlyForwarder Forwarder) Proxy(RequestTracing tracing)
    {
        const int port = 18080;
        var metrics = new IngressMetrics();
        var dataPlane = new DataPlane((endpoints, lb) => LoadBalancerRegistry.Create(endpoints, lb), metrics, TimeProvider.System, NullLogger<DataPlane>.Instance);
        dataPlane.Apply(new Snapshot
        {
            Version = 1,
            Pools = [new PoolSnapshot
            {
                Id = "cost/origins",
                Endpoints = [new EndpointSnapshot { Host = "127.0.0.1", Port = port + 1 }],
                LoadBalancing = new LoadBalancingSnapshot { Algorithm = LoadBalancingAlgorithm.RoundRobin },
            }],
            Listeners = [new ListenerSnapshot
            {
                Name = "http", Port = port, Kind = ListenerKind.Http,
                Routes = [new RouteSnapshot { Id = "cost/all", Backends = [new BackendSnapshot("cost/origins", 1)] }],
            }],
        });
        var forwarder = new TransformOnlyForwarder();
        var middleware = new ProxyMiddleware(dataPlane, forwarder, metrics, new HttpsEdge(),
            new AffinityRouter(AffinityKeyRing.Random(), new AffinityMetrics(metrics), new AffinityTable(TimeProvider.System), null, TimeProvider.System),
            new ListenerShutdown(),
            new AccessLogRecorder(dataPlane, new AccessLogQueue(new AccessLogOptions(), metrics.Registry, NullLogger.Instance), new AccessLogOptions(), TimeProvider.System),
            new RequestMirrors(), tracing);
        var context = new DefaultHttpContext();
        context.Connection.LocalPort = port;
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Protocol = "HTTP/1.1";
        context.Request.Host = new HostString("cost.example.com");
        context.Request.Path = "/api/orders";
        return (middleware, context, forwarder);
    }

}
