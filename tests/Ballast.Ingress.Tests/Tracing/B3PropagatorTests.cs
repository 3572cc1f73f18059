using System.Diagnostics;
using Ballast.Ingress.Tracing;
using OpenTelemetry.Context.Propagation;
using B3Propagator = Ballast.Ingress.Tracing.B3Propagator;

namespace Ballast.Ingress.Tests.Tracing;

/// <summary>B3 as https://github.com/openzipkin/b3-propagation specifies it: both header forms read, the chosen one written.</summary>
public sealed class B3PropagatorTests
{
    private const string Trace = "463ac35c9f6413ad48485a3953bb6124";
    private const string Span = "a2fb4a1d1a96d312";

    private static ActivityContext Extract(Dictionary<string, string> headers) =>
        new B3Propagator(singleHeader: true).Extract(default, headers,
            (h, name) => h.FirstOrDefault(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)) is { Key: not null } kv ? [kv.Value] : null).ActivityContext;

    [Theory]
    [InlineData(Trace + "-" + Span + "-1", true)]
    [InlineData(Trace + "-" + Span + "-0", false)]
    [InlineData(Trace + "-" + Span + "-d", true)]  // debug implies sampled
    [InlineData(Trace + "-" + Span, false)]        // deferred: not sampled here
    [InlineData(Trace + "-" + Span + "-1-0020000000000001", true)]
    public void The_single_header_gives_the_trace_the_parent_span_and_the_sampling(string b3, bool sampled)
    {
        var context = Extract(new() { [B3Propagator.Single] = b3 });
        Assert.Equal((Trace, Span, sampled), (context.TraceId.ToHexString(), context.SpanId.ToHexString(), context.TraceFlags == ActivityTraceFlags.Recorded));
        Assert.True(context.IsRemote);
    }

    [Fact]
    public void The_multi_headers_are_read_and_a_64_bit_trace_id_is_left_padded()
    {
        var context = Extract(new() { [B3Propagator.TraceId] = "48485A3953BB6124", [B3Propagator.SpanId] = Span, [B3Propagator.Sampled] = "true" });
        Assert.Equal("000000000000000048485a3953bb6124", context.TraceId.ToHexString());
        Assert.Equal(ActivityTraceFlags.Recorded, context.TraceFlags);
        Assert.Equal(ActivityTraceFlags.Recorded, Extract(new() { [B3Propagator.TraceId] = Trace, [B3Propagator.SpanId] = Span, [B3Propagator.Flags] = "1" }).TraceFlags);
    }

    [Theory]
    [InlineData("0")]                                  // "deny": no context
    [InlineData("not-hex-at-all")]
    [InlineData(Trace + "-a2fb4a1d1a96d3")]            // short span id
    [InlineData("00000000000000000000000000000000-" + Span + "-1")]
    public void Anything_malformed_gives_no_context(string b3) => Assert.Equal(default, Extract(new() { [B3Propagator.Single] = b3 }));

    [Fact]
    public void Inject_writes_the_chosen_form()
    {
        var context = new PropagationContext(new ActivityContext(ActivityTraceId.CreateFromString(Trace), ActivitySpanId.CreateFromString(Span), ActivityTraceFlags.Recorded), default);
        var single = new Dictionary<string, string>();
        new B3Propagator(singleHeader: true).Inject(context, single, (h, k, v) => h[k] = v);
        Assert.Equal(new Dictionary<string, string> { [B3Propagator.Single] = $"{Trace}-{Span}-1" }, single);
        var multi = new Dictionary<string, string>();
        new B3Propagator(singleHeader: false).Inject(context, multi, (h, k, v) => h[k] = v);
        Assert.Equal(new Dictionary<string, string> { [B3Propagator.TraceId] = Trace, [B3Propagator.SpanId] = Span, [B3Propagator.Sampled] = "1" }, multi);
    }
}
