using System.Collections.Immutable;
using Ballast.Model.Resources;

namespace Ballast.Model.Snapshots;

/// <summary>
/// An access log that is on (a listener's, or the effective one of a route on its listener): the format, where the
/// lines go and which requests are kept. Format is Json or Template here, never Off (off is no snapshot at all).
/// </summary>
public sealed record AccessLogSnapshot
{
    public AccessLogFormat Format { get; init; } = AccessLogFormat.Json;
    /// <summary>Format Template: the template as written (checked by the Compiler; <see cref="AccessLogTemplate.Parse"/>).</summary>
    public string Template { get; init; } = "";
    /// <summary>Absolute path of the file; null: standard output.</summary>
    public string? File { get; init; }
    /// <summary>Rotate past this size; null: only when told (SIGUSR1).</summary>
    public long? MaxFileBytes { get; init; }
    public int KeepFiles { get; init; } = 5;
    public AccessLogSampling Sampling { get; init; } = AccessLogSampling.All;
    /// <summary>Sampling Ratio: the share kept, in (0, 1].</summary>
    public double Ratio { get; init; } = 1;

    /// <summary>The destination lines go to: the file path, or "stdout".</summary>
    public string Destination => File ?? "stdout";
}

/// <summary>What an access-log line can say about a request; JSON keys and template names are <see cref="AccessLogFields.Name"/>.</summary>
public enum AccessLogField
{
    Time, ClientAddress, ClientPort, Method, Scheme, Host, Path, Query, Protocol, Status, RequestBytes, ResponseBytes,
    DurationMs, UpstreamTtfbMs, Route, Pool, Endpoint, UpstreamStatus, Retries, RequestId, TraceId, UserAgent, Referer,
    TlsVersion, TlsCipher, TlsSni, AuthSubject, Listener,
}

public static class AccessLogFields
{
    /// <summary>Every field in the order of a JSON line.</summary>
    public static readonly ImmutableArray<AccessLogField> All = [.. Enum.GetValues<AccessLogField>()];

    private static readonly ImmutableArray<string> Names = [.. All.Select(f => Snake(f.ToString()))];
    private static readonly ImmutableDictionary<string, AccessLogField> ByName =
        All.ToImmutableDictionary(f => Names[(int)f], f => f, StringComparer.Ordinal);

    /// <summary><c>client_address</c> for ClientAddress: the JSON key and the template name.</summary>
    public static string Name(AccessLogField field) => Names[(int)field];

    public static bool TryParse(string name, out AccessLogField field) => ByName.TryGetValue(name, out field);

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i == 0 ? "" : "_") + char.ToLowerInvariant(c) : c.ToString()));
}

/// <summary>A piece of a template: literal text, or a field (when <see cref="Field"/> is set).</summary>
public readonly record struct AccessLogSegment(string Literal, AccessLogField? Field);

/// <summary>
/// Templates: literal text with <c>{field}</c> names (<c>{{</c> and <c>}}</c> for literal braces). Pure, shared by the
/// Compiler (validation) and the ingress (formatting), so what validates is what runs.
/// </summary>
public static class AccessLogTemplate
{
    /// <returns>The segments, or null with <paramref name="error"/> naming what is wrong.</returns>
    public static ImmutableArray<AccessLogSegment>? Parse(string template, out string error)
    {
        error = "";
        var segments = ImmutableArray.CreateBuilder<AccessLogSegment>();
        var literal = new System.Text.StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{') { literal.Append('{'); i++; continue; }
            if (c == '}' && i + 1 < template.Length && template[i + 1] == '}') { literal.Append('}'); i++; continue; }
            if (c == '}') { error = $"unmatched '}}' at position {i} (write '}}}}' for a literal brace)"; return null; }
            if (c != '{') { literal.Append(c); continue; }
            var end = template.IndexOf('}', i + 1);
            if (end < 0) { error = $"'{{' at position {i} is not closed (write '{{{{' for a literal brace)"; return null; }
            var name = template[(i + 1)..end];
            if (!AccessLogFields.TryParse(name, out var field))
            {
                error = $"unknown field \"{{{name}}}\" (fields: {string.Join(", ", AccessLogFields.All.Select(AccessLogFields.Name))})";
                return null;
            }
            if (literal.Length > 0) { segments.Add(new AccessLogSegment(literal.ToString(), null)); literal.Clear(); }
            segments.Add(new AccessLogSegment("", field));
            i = end;
        }
        if (literal.Length > 0) segments.Add(new AccessLogSegment(literal.ToString(), null));
        if (!segments.Any(s => s.Field is not null)) { error = "names no field: write at least one {field}"; return null; }
        return segments.ToImmutable();
    }
}
