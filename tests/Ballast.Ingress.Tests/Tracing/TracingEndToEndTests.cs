using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Tests.Support;
using Ballast.Ingress.Tracing;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using SpanKind = Ballast.Ingress.Tests.Tracing.Otlp.Span.Types.SpanKind;
using StatusCode = Ballast.Ingress.Tests.Tracing.Otlp.Status.Types.StatusCode;

namespace Ballast.Ingress.Tests.Tracing;

/// <summary>
/// Tracing through real sockets: a client with (or without) a trace context, the ingress, a backend that records
/// the headers it got, and a real OTLP/HTTP receiver the ingress exports to.
/// </summary>
[Collection(TracingCollection.Name)]
[Trait("Category", "Integration")]
public sealed class TracingEndToEndTests
{
    private const string ClientTrace = "0af7651916cd43dd8448eb211c80319c";
    private const string ClientSpan = "b7ad6b7169203331";

    [Fact]
    public async Task A_request_with_a_traceparent_gets_a_server_span_under_it_and_the_backend_sees_ballasts_span_as_its_parent()
    {
        await using var setup = await TracedIngress.StartAsync(new TracingOptions(new Uri("http://placeholder")));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/items?x=1");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{ClientTrace}-{ClientSpan}-01");
        request.Headers.TryAddWithoutValidation("tracestate", "vendor=opaque");
        Assert.Equal(HttpStatusCode.Created, (await setup.Client.SendAsync(request)).StatusCode);

        var span = await setup.SpanAsync();
        Assert.Equal(ClientTrace, span.TraceId);
        Assert.Equal(ClientSpan, span.ParentSpanId);
        Assert.Equal(SpanKind.Server, span.Span.Kind);
        Assert.Equal("GET default/shop/api", span.Name);
        Assert.Equal(RequestTracing.SourceName, span.Scope);
        Assert.Equal("vendor=opaque", span.Span.TraceState);
        Assert.Equal("default/shop/api", span[RequestTracing.Tags.Route]);
        Assert.Equal("default/api", span[RequestTracing.Tags.Pool]);
        Assert.Equal(setup.Backend.Address, span[RequestTracing.Tags.Endpoint]);
        Assert.Equal(0L, span[RequestTracing.Tags.Retries]);
        Assert.Equal(201L, span[RequestTracing.Tags.Status]);
        Assert.Equal("GET", span[RequestTracing.Tags.Method]);
        Assert.Equal("/api/items", span[RequestTracing.Tags.Path]);
        Assert.Equal("1.1", span[RequestTracing.Tags.Protocol]);
        Assert.Equal(StatusCode.Unset, span.Span.Status?.Code ?? StatusCode.Unset);
        Assert.Equal("ballast", span.Resource["service.name"]);

        // The backend's parent is Ballast's span, in the client's trace, still sampled, with the client's tracestate.
        var seen = Assert.Single(setup.Headers);
        Assert.Equal($"00-{ClientTrace}-{span.SpanId}-01", seen["traceparent"]);
        Assert.Equal("vendor=opaque", seen["tracestate"]);
        Assert.Empty(setup.Receiver.Rejected);
    }

    [Fact]
    public async Task A_retried_request_names_the_endpoint_that_answered_and_counts_the_retry_and_a_5xx_is_an_error()
    {
        var dead = FreePort.Next(); // nothing listens: the connection is refused and retried (the default policy)
        await using var setup = await TracedIngress.StartAsync(new TracingOptions(new Uri("http://placeholder")),
            endpoints: $"[ {{ address: \"127.0.0.1:{dead}\" }}, {{ address: \"127.0.0.1:BACKEND\" }} ]", algorithm: "RoundRobin");
        // Round robin over two endpoints: one of two requests starts on the dead one.
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Created, (await setup.Client.GetAsync("/api/x")).StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await setup.Client.GetAsync("/api/fail")).StatusCode);

        var spans = await setup.SpansAsync(3);
        // Whichever endpoint round robin starts on, exactly one of the two /api/x requests met the dead one first.
        var retried = Assert.Single(spans, s => (string?)s[RequestTracing.Tags.Path] == "/api/x" && (long?)s[RequestTracing.Tags.Retries] == 1);
        Assert.Equal(setup.Backend.Address, retried[RequestTracing.Tags.Endpoint]);
        Assert.Equal(201L, retried[RequestTracing.Tags.Status]);
        var failed = Assert.Single(spans, s => (long?)s[RequestTracing.Tags.Status] == 500);
        Assert.Equal(StatusCode.Error, failed.Span.Status.Code);
        Assert.Equal("/api/fail", failed[RequestTracing.Tags.Path]);
    }

    [Fact]
    public async Task Sampling_is_parent_based_a_new_trace_at_ratio_0_is_not_recorded_yet_its_context_reaches_the_backend_unsampled()
    {
        await using var setup = await TracedIngress.StartAsync(new TracingOptions(new Uri("http://placeholder")) { SampleRatio = 0 });
        Assert.Equal(HttpStatusCode.Created, (await setup.Client.GetAsync("/api/new")).StatusCode);
        using var sampled = new HttpRequestMessage(HttpMethod.Get, "/api/sampled");
        sampled.Headers.TryAddWithoutValidation("traceparent", $"00-{ClientTrace}-{ClientSpan}-01");
        Assert.Equal(HttpStatusCode.Created, (await setup.Client.SendAsync(sampled)).StatusCode);
        using var unsampled = new HttpRequestMessage(HttpMethod.Get, "/api/unsampled");
        unsampled.Headers.TryAddWithoutValidation("traceparent", $"00-{ClientTrace}-{ClientSpan}-00");
        Assert.Equal(HttpStatusCode.Created, (await setup.Client.SendAsync(unsampled)).StatusCode);
        await setup.DisposeIngressAsync(); // flushes every span that was recorded

        // Only the request whose client sampled its trace was recorded.
        var span = Assert.Single(setup.Receiver.Spans);
        Assert.Equal("/api/sampled", span[RequestTracing.Tags.Path]);
        var headers = setup.Headers.ToArray();
        Assert.Equal(3, headers.Length);
        // Every backend request carries a fresh span id of Ballast's; the sampled flag (bit 0) follows the decision
        // (.NET may also set bit 1, W3C level 2's "random trace id").
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", headers[0]["traceparent"]);
        Assert.False(Sampled(headers[0]["traceparent"]), headers[0]["traceparent"]);
        Assert.DoesNotContain(ClientTrace, headers[0]["traceparent"]);
        Assert.Equal($"00-{ClientTrace}-{span.SpanId}-01", headers[1]["traceparent"]);
        Assert.StartsWith($"00-{ClientTrace}-", headers[2]["traceparent"], StringComparison.Ordinal);
        Assert.False(Sampled(headers[2]["traceparent"]), headers[2]["traceparent"]);
        Assert.DoesNotContain(ClientSpan, headers[2]["traceparent"]);
    }

    [Fact]
    public async Task B3_propagation_reads_the_clients_X_B3_headers_and_sends_ballasts_span_to_the_backend()
    {
        await using var setup = await TracedIngress.StartAsync(new TracingOptions(new Uri("http://placeholder")) { Propagation = TracePropagation.B3Multi });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/b3");
        request.Headers.TryAddWithoutValidation(B3Propagator.TraceId, ClientTrace);
        request.Headers.TryAddWithoutValidation(B3Propagator.SpanId, ClientSpan);
        request.Headers.TryAddWithoutValidation(B3Propagator.Sampled, "1");
        Assert.Equal(HttpStatusCode.Created, (await setup.Client.SendAsync(request)).StatusCode);

        var span = await setup.SpanAsync();
        Assert.Equal((ClientTrace, ClientSpan), (span.TraceId, span.ParentSpanId));
        var seen = Assert.Single(setup.Headers);
        Assert.Equal(ClientTrace, seen[B3Propagator.TraceId]);
        Assert.Equal(span.SpanId, seen[B3Propagator.SpanId]);
        Assert.Equal("1", seen[B3Propagator.Sampled]);
        Assert.Null(seen.GetValueOrDefault("traceparent"));
    }

    [Fact]
    public async Task Off_by_default_no_span_is_started_and_the_clients_trace_headers_reach_the_backend_untouched()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString(); // this test's own trace: other tests' spans do not count
        var started = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RequestTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity => { if (activity.TraceId.ToHexString() == traceId) Interlocked.Increment(ref started); },
        };
        ActivitySource.AddActivityListener(listener);
        await using var setup = await TracedIngress.StartAsync(tracing: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/off");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{ClientSpan}-01");
        Assert.Equal(HttpStatusCode.Created, (await setup.Client.SendAsync(request)).StatusCode);

        Assert.Equal(0, started);
        Assert.Equal($"00-{traceId}-{ClientSpan}-01", Assert.Single(setup.Headers)["traceparent"]);
    }

    private static bool Sampled(string traceparent) => (Convert.ToInt32(traceparent[^2..], 16) & 1) == 1;

    /// <summary>An ingress with tracing to a fresh receiver, a backend that answers 201 (500 on /api/fail) and records trace headers.</summary>
    private sealed class TracedIngress : IAsyncDisposable
    {
        private static readonly string[] TraceHeaders = ["traceparent", "tracestate", B3Propagator.TraceId, B3Propagator.SpanId, B3Propagator.Sampled, B3Propagator.Single];
        private IngressFixture? _ingress;
        private StandaloneFolder? _folder;

        public required OtlpReceiver Receiver { get; init; }
        public required TestBackend Backend { get; init; }
        public required ConcurrentQueue<Dictionary<string, string>> Headers { get; init; }
        public HttpClient Client { get; private set; } = null!;

        /// <param name="endpoints">The pool's endpoints (BACKEND stands for the test backend's port); default: the backend alone.</param>
        public static async Task<TracedIngress> StartAsync(TracingOptions? tracing, string? endpoints = null, string algorithm = "RoundRobin")
        {
            var headers = new ConcurrentQueue<Dictionary<string, string>>();
            var backend = await TestBackend.StartAsync("api", async ctx =>
            {
                headers.Enqueue(TraceHeaders.Where(h => ctx.Request.Headers.ContainsKey(h)).ToDictionary(h => h, h => ctx.Request.Headers[h].ToString()));
                ctx.Response.StatusCode = ctx.Request.Path == "/api/fail" ? 500 : 201;
                await ctx.Response.WriteAsync("ok");
            });
            var receiver = await OtlpReceiver.StartAsync();
            var setup = new TracedIngress { Receiver = receiver, Backend = backend, Headers = headers };
            setup._ingress = await IngressFixture.StartAsync(new IngressOptions
            {
                Tracing = tracing is null ? null : tracing with { Endpoint = receiver.Endpoint, ExportInterval = TimeSpan.FromMilliseconds(20) },
            });
            var port = FreePort.Next();
            var config = StandaloneFolder.PoolAndPolicy(backend.Port, $$"""
                  listeners:
                    - { name: http, port: {{port}}, address: 127.0.0.1 }
                  routes:
                    - { name: api, match: { pathPrefix: /api }, backends: [ { pool: api } ] }
                """);
            if (endpoints is not null)
            {
                config = config.Replace($"endpoints: [ {{ address: \"127.0.0.1:{backend.Port}\" }} ]",
                    $"loadBalancing: {{ algorithm: {algorithm} }}\n  endpoints: {endpoints.Replace("BACKEND", backend.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)}",
                    StringComparison.Ordinal);
            }
            setup._folder = await StandaloneFolder.LoadAsync(setup._ingress, ("config.yaml", config));
            setup.Client = setup._ingress.Client(port);
            return setup;
        }

        public async Task<ReceivedSpan> SpanAsync() => (await SpansAsync(1)).Single();

        public async Task<ReceivedSpan[]> SpansAsync(int count) =>
            await Eventually.GetAsync(() => Receiver.Spans.ToArray(), spans => spans.Length >= count, $"{count} span(s) at the OTLP receiver");

        public async Task DisposeIngressAsync()
        {
            if (_folder is not null) await _folder.DisposeAsync();
            if (_ingress is not null) await _ingress.DisposeAsync();
            _folder = null;
            _ingress = null;
        }

        public async ValueTask DisposeAsync()
        {
            await DisposeIngressAsync();
            await Receiver.DisposeAsync();
            await Backend.DisposeAsync();
        }
    }
}

/// <summary>
/// Tracing tests run one after another: an <see cref="ActivityListener"/> is process-wide, and one test's listener
/// would otherwise change another's sampling.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TracingCollection
{
    public const string Name = "Tracing";
}
