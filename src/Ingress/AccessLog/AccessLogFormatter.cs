using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.AccessLog;

/// <summary>
/// Turns an entry into one line (JSON object or filled-in template), on the writer's thread. Every field is
/// written; a field with no value is JSON null or "-" in a template. Template values are escaped (control
/// characters, quotes and backslashes as \xHH) so a client cannot forge a line.
/// </summary>
internal sealed class AccessLogFormatter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, ImmutableArray<AccessLogSegment>> _templates = new(StringComparer.Ordinal);
    private readonly StringBuilder _text = new();
    private Utf8JsonWriter? _json;

    public void Write(AccessLogEntry entry, IBufferWriter<byte> output)
    {
        if (entry.Config.Format == AccessLogFormat.Template) WriteTemplate(entry, output);
        else WriteJson(entry, output);
        output.Write("\n"u8);
    }

    private void WriteJson(AccessLogEntry entry, IBufferWriter<byte> output)
    {
        var json = _json ??= new Utf8JsonWriter(output, JsonOptions);
        json.Reset(output);
        json.WriteStartObject();
        foreach (var field in AccessLogFields.All)
        {
            json.WritePropertyName(JsonNames[(int)field]);
            WriteJsonValue(json, entry, field);
        }
        json.WriteEndObject();
        json.Flush();
    }

    // Encoded once: a name written as a string is transcoded and checked for escaping on every line.
    private static readonly JsonEncodedText[] JsonNames = [.. AccessLogFields.All.Select(f => JsonEncodedText.Encode(AccessLogFields.Name(f), JavaScriptEncoder.UnsafeRelaxedJsonEscaping))];

    /// <summary>
    /// The same values as <see cref="Value"/>, written without boxing numbers or allocating the time and address
    /// strings: the writer formats one line per request, so what it allocates is paid per request.
    /// </summary>
    private static void WriteJsonValue(Utf8JsonWriter json, AccessLogEntry e, AccessLogField field)
    {
        Span<char> text = stackalloc char[64];
        switch (field)
        {
            case AccessLogField.Time:
                e.Time.UtcDateTime.TryFormat(text, out var written, TimeFormat, CultureInfo.InvariantCulture);
                json.WriteStringValue(text[..written]);
                break;
            case AccessLogField.ClientAddress when e.ClientAddress is { } address:
                (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).TryFormat(text, out written);
                json.WriteStringValue(text[..written]);
                break;
            case AccessLogField.ClientPort when e.ClientAddress is not null: json.WriteNumberValue(e.ClientPort); break;
            case AccessLogField.Status: json.WriteNumberValue(e.Status); break;
            case AccessLogField.RequestBytes: json.WriteNumberValue(e.RequestBody?.Bytes ?? 0L); break;
            case AccessLogField.ResponseBytes: json.WriteNumberValue(e.ResponseBody?.Bytes ?? 0L); break;
            case AccessLogField.DurationMs: json.WriteNumberValue(Math.Round(e.DurationMs, 3)); break;
            case AccessLogField.UpstreamTtfbMs when e.UpstreamTtfbMs is { } ttfb: json.WriteNumberValue(Math.Round(ttfb, 3)); break;
            case AccessLogField.UpstreamStatus when e.UpstreamStatus is { } upstream: json.WriteNumberValue(upstream); break;
            case AccessLogField.Retries: json.WriteNumberValue(e.Retries); break;
            case AccessLogField.ClientAddress or AccessLogField.ClientPort or AccessLogField.UpstreamTtfbMs or AccessLogField.UpstreamStatus:
                json.WriteNullValue();
                break;
            default:
                // The rest are strings the request path already holds (or null).
                if (Value(e, field) is string s) json.WriteStringValue(s);
                else json.WriteNullValue();
                break;
        }
    }

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private void WriteTemplate(AccessLogEntry entry, IBufferWriter<byte> output)
    {
        // The Compiler accepted it, so it parses.
        var segments = _templates.GetOrAdd(entry.Config.Template, t => AccessLogTemplate.Parse(t, out _) ?? []);
        var text = _text.Clear();
        foreach (var segment in segments)
        {
            if (segment.Field is not { } field) { text.Append(segment.Literal); continue; }
            switch (Value(entry, field))
            {
                case null: text.Append('-'); break;
                case string s: AppendEscaped(text, s); break;
                case double d: text.Append(Math.Round(d, 3).ToString(CultureInfo.InvariantCulture)); break;
                case IFormattable f: text.Append(f.ToString(null, CultureInfo.InvariantCulture)); break;
            }
        }
        var length = Encoding.UTF8.GetByteCount(text.ToString());
        var span = output.GetSpan(length);
        Encoding.UTF8.GetBytes(text.ToString(), span);
        output.Advance(length);
    }

    private static void AppendEscaped(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            if (c < ' ' || c == '\x7f' || c == '"' || c == '\\') text.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else text.Append(c);
        }
    }

    /// <summary>A field's value: string, int, long, double, or null when the request has none.</summary>
    internal static object? Value(AccessLogEntry e, AccessLogField field) => field switch
    {
        AccessLogField.Time => e.Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture),
        AccessLogField.ClientAddress => e.ClientAddress is { } a ? (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToString() : null,
        AccessLogField.ClientPort => e.ClientAddress is null ? null : e.ClientPort,
        AccessLogField.Method => e.Method,
        AccessLogField.Scheme => e.Scheme,
        AccessLogField.Host => e.Host,
        AccessLogField.Path => e.Path,
        AccessLogField.Query => string.IsNullOrEmpty(e.Query) ? null : e.Query.TrimStart('?'),
        AccessLogField.Protocol => e.Protocol,
        AccessLogField.Status => e.Status,
        AccessLogField.RequestBytes => e.RequestBody?.Bytes ?? 0L,
        AccessLogField.ResponseBytes => e.ResponseBody?.Bytes ?? 0L,
        AccessLogField.DurationMs => e.DurationMs,
        AccessLogField.UpstreamTtfbMs => e.UpstreamTtfbMs,
        AccessLogField.Route => e.Route?.Id,
        AccessLogField.Pool => e.Pool?.Id,
        AccessLogField.Endpoint => e.Endpoint?.Id,
        AccessLogField.UpstreamStatus => e.UpstreamStatus,
        AccessLogField.Retries => e.Retries,
        AccessLogField.RequestId => e.RequestId,
        AccessLogField.TraceId => e.TraceId ?? TraceIdOf(e.TraceParent),
        AccessLogField.UserAgent => e.UserAgent,
        AccessLogField.Referer => e.Referer,
        AccessLogField.TlsVersion => e.TlsVersion,
        AccessLogField.TlsCipher => e.TlsCipher,
        AccessLogField.TlsSni => e.TlsSni,
        AccessLogField.AuthSubject => e.AuthSubject,
        AccessLogField.Listener => e.Listener.Name,
        _ => null,
    };

    /// <summary>The trace id of a W3C <c>traceparent</c> (<c>00-{32 hex}-{16 hex}-{2 hex}</c>), when the client sent a well-formed one.</summary>
    internal static string? TraceIdOf(string? traceParent)
    {
        if (traceParent is not { Length: 55 } || traceParent[2] != '-' || traceParent[35] != '-' || traceParent[52] != '-') return null;
        var id = traceParent.AsSpan(3, 32);
        return id.ContainsAnyExcept(LowerHex) || !id.ContainsAnyExcept('0') ? null : id.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
}
