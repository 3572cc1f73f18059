using System.Globalization;
using System.Net;
using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses.Annotations;

/// <summary>
/// Reads the <c>nginx.ingress.kubernetes.io/*</c> annotations of one Ingress as typed values, each parse a
/// small pure mapping with an error that names the annotation and the value
/// (<c>metadata.annotations["nginx.ingress.kubernetes.io/limit-rps"]: "fast" is not a number</c>), and keeps
/// the verdict of every annotation it was asked about. Whatever nobody asked about is reported unsupported
/// by <see cref="Unclaimed"/>, so no annotation is ever silently dropped.
/// </summary>
public sealed class AnnotationReader
{
    public const string Prefix = "nginx.ingress.kubernetes.io/";

    private readonly IReadOnlyDictionary<string, string> _annotations;
    private readonly Dictionary<string, AnnotationOutcome> _outcomes = new(StringComparer.Ordinal);

    public AnnotationReader(IReadOnlyDictionary<string, string>? annotations) =>
        _annotations = annotations ?? new Dictionary<string, string>();

    /// <summary>The field path of an annotation in messages.</summary>
    public static string FieldOf(string name) => $"metadata.annotations[\"{Prefix}{name}\"]";

    public IReadOnlyCollection<AnnotationOutcome> Outcomes => _outcomes.Values;

    public bool HasErrors => _outcomes.Values.Any(o => o.Verdict == AnnotationVerdict.Invalid);

    public bool Has(string name) => _annotations.ContainsKey(Prefix + name);

    /// <summary>The raw value (trimmed), or null when absent.</summary>
    public string? String(string name) => _annotations.TryGetValue(Prefix + name, out var v) ? v.Trim() : null;

    public bool? Bool(string name)
    {
        if (String(name) is not { } v) return null;
        if (bool.TryParse(v, out var b)) return b;
        Invalid(name, $"\"{v}\" is not true or false");
        return null;
    }

    public int? Int(string name, int min = 0, int max = int.MaxValue)
    {
        if (String(name) is not { } v) return null;
        if (!long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            Invalid(name, $"\"{v}\" is not a number");
            return null;
        }
        if (n < min || n > max)
        {
            Invalid(name, $"{n} is out of range ({min} to {max})");
            return null;
        }
        return (int)n;
    }

    /// <summary>ingress-nginx timeouts are whole seconds (<c>"30"</c>); a unit (<c>"30s"</c>) is accepted too.</summary>
    public Duration? Seconds(string name)
    {
        if (String(name) is not { } v) return null;
        if (long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 31536000)
            return Duration.FromSeconds(n);
        if (Duration.TryParse(v, out var d) && d.Value > TimeSpan.Zero) return d;
        Invalid(name, $"\"{v}\" is not a number of seconds");
        return null;
    }

    /// <summary>An nginx size: <c>8m</c>, <c>512k</c>, <c>1g</c>, bytes without a unit; <c>0</c> means no limit (returns 0).</summary>
    public long? Size(string name)
    {
        if (String(name) is not { } v) return null;
        var text = v.ToLowerInvariant();
        long unit = 1;
        if (text.Length > 0 && char.IsAsciiLetter(text[^1]))
        {
            unit = text[^1] switch { 'k' => 1024L, 'm' => 1024L * 1024, 'g' => 1024L * 1024 * 1024, _ => 0 };
            text = text[..^1];
        }
        if (unit == 0 || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > long.MaxValue / unit)
        {
            Invalid(name, $"\"{v}\" is not a size (a number with an optional k, m or g)");
            return null;
        }
        return n * unit;
    }

    /// <summary>A comma-separated list (empty items dropped); null when absent.</summary>
    public List<string>? List(string name) =>
        String(name) is { } v ? [.. v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : null;

    /// <summary>Comma-separated CIDRs or addresses; each must parse.</summary>
    public List<string>? Cidrs(string name)
    {
        if (List(name) is not { } items) return null;
        foreach (var item in items)
        {
            var slash = item.IndexOf('/');
            var address = slash < 0 ? item : item[..slash];
            var okPrefix = slash < 0 || int.TryParse(item.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _);
            if (!IPAddress.TryParse(address, out _) || !okPrefix)
            {
                Invalid(name, $"\"{item}\" is not an IP address or CIDR");
                return null;
            }
        }
        return items;
    }

    /// <summary>One of the allowed words (case-insensitive); returns it as written in <paramref name="allowed"/>.</summary>
    public string? OneOf(string name, params string[] allowed)
    {
        if (String(name) is not { } v) return null;
        var hit = allowed.FirstOrDefault(a => string.Equals(a, v, StringComparison.OrdinalIgnoreCase));
        if (hit is null) Invalid(name, $"\"{v}\" is not one of {string.Join(", ", allowed)}");
        return hit;
    }

    public void Mapped(string name, string what) => Record(name, AnnotationVerdict.Mapped, what);
    public void Approximated(string name, string how) => Record(name, AnnotationVerdict.Approximated, how);
    public void Unsupported(string name, string why) => Record(name, AnnotationVerdict.Unsupported, why);
    public void Invalid(string name, string error) => Record(name, AnnotationVerdict.Invalid, error);

    /// <summary>Records a verdict for a present annotation; a malformed value's error is never overwritten.</summary>
    private void Record(string name, AnnotationVerdict verdict, string note)
    {
        if (!Has(name)) return;
        var full = Prefix + name;
        if (_outcomes.TryGetValue(full, out var existing) && existing.Verdict == AnnotationVerdict.Invalid) return;
        _outcomes[full] = new AnnotationOutcome(full, verdict, note);
    }

    /// <summary>Every <c>nginx.ingress.kubernetes.io/*</c> annotation no rule claimed: reported unsupported.</summary>
    public void Unclaimed()
    {
        foreach (var name in _annotations.Keys)
            if (name.StartsWith(Prefix, StringComparison.Ordinal) && !_outcomes.ContainsKey(name))
                _outcomes[name] = new AnnotationOutcome(name, AnnotationVerdict.Unsupported, "Ballast has no equivalent for this ingress-nginx annotation; it is not applied");
    }
}
