using System.Diagnostics;
using OpenTelemetry.Context.Propagation;

namespace Ballast.Ingress.Tracing;

/// <summary>
/// Zipkin's B3 headers (https://github.com/openzipkin/b3-propagation): reads the single <c>b3</c> header or the
/// <c>X-B3-*</c> set, whichever the client sent, and writes the form chosen. The OpenTelemetry package that
/// carries a B3 propagator is not available here, and the format is a few lines.
/// </summary>
public sealed class B3Propagator(bool singleHeader) : TextMapPropagator
{
    public const string Single = "b3";
    public const string TraceId = "X-B3-TraceId";
    public const string SpanId = "X-B3-SpanId";
    public const string ParentSpanId = "X-B3-ParentSpanId";
    public const string Sampled = "X-B3-Sampled";
    public const string Flags = "X-B3-Flags";

    private static readonly HashSet<string> AllFields = new(StringComparer.OrdinalIgnoreCase) { Single, TraceId, SpanId, ParentSpanId, Sampled, Flags };

    public override ISet<string> Fields => AllFields;

    public override PropagationContext Extract<T>(PropagationContext context, T carrier, Func<T, string, IEnumerable<string>?> getter)
    {
        if (context.ActivityContext.TraceId != default) return context;
        var single = First(getter(carrier, Single));
        var parsed = single is not null
            ? ParseSingle(single)
            : Parse(First(getter(carrier, TraceId)), First(getter(carrier, SpanId)), First(getter(carrier, Sampled)), First(getter(carrier, Flags)));
        return parsed is { } activityContext ? new PropagationContext(activityContext, context.Baggage) : context;
    }

    public override void Inject<T>(PropagationContext context, T carrier, Action<T, string, string> setter)
    {
        var span = context.ActivityContext;
        if (span.TraceId == default || span.SpanId == default) return;
        var sampled = (span.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "1" : "0";
        if (singleHeader)
        {
            setter(carrier, Single, $"{span.TraceId.ToHexString()}-{span.SpanId.ToHexString()}-{sampled}");
            return;
        }
        setter(carrier, TraceId, span.TraceId.ToHexString());
        setter(carrier, SpanId, span.SpanId.ToHexString());
        setter(carrier, Sampled, sampled);
    }

    /// <summary><c>{traceId}-{spanId}[-{sampling}[-{parentSpanId}]]</c>; a lone <c>0</c> (deny) carries no context.</summary>
    public static ActivityContext? ParseSingle(string value)
    {
        var parts = value.Split('-');
        if (parts.Length < 2) return null;
        var sampling = parts.Length > 2 ? parts[2] : null;
        return sampling is "d" ? Parse(parts[0], parts[1], null, "1") : Parse(parts[0], parts[1], sampling, null);
    }

    /// <summary>
    /// A 64- or 128-bit trace id (64-bit ids are left-padded with zeros, as the spec says), a 64-bit span id;
    /// sampled when <c>X-B3-Sampled</c> is 1 (or true), or the debug flag is set. Anything malformed: no context.
    /// </summary>
    public static ActivityContext? Parse(string? traceId, string? spanId, string? sampled, string? flags)
    {
        if (traceId is null || spanId is null || !IsHex(traceId) || !IsHex(spanId) || spanId.Length != 16) return null;
        if (traceId.Length == 16) traceId = "0000000000000000" + traceId;
        if (traceId.Length != 32 || traceId.All(c => c == '0') || spanId.All(c => c == '0')) return null;
        var recorded = flags == "1" || sampled is "1" || string.Equals(sampled, "true", StringComparison.OrdinalIgnoreCase);
        return new ActivityContext(ActivityTraceId.CreateFromString(traceId.ToLowerInvariant()), ActivitySpanId.CreateFromString(spanId.ToLowerInvariant()),
            recorded ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, isRemote: true);
    }

    private static bool IsHex(string value) => value.Length > 0 && value.All(char.IsAsciiHexDigit);

    private static string? First(IEnumerable<string>? values) => values?.FirstOrDefault(v => !string.IsNullOrEmpty(v))?.Trim();
}
