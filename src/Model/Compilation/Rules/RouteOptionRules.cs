using System.Collections.Immutable;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

/// <summary>What a route does besides matching: retries, timeouts, header rewrites.</summary>
internal static class RouteOptionRules
{
    private static readonly RetrySnapshot RetryDefaults = new();

    private static readonly Dictionary<string, RetryOn> RetryConditions = new(StringComparer.Ordinal)
    {
        ["connect-failure"] = RetryOn.ConnectFailure,
        ["reset"] = RetryOn.Reset,
        ["timeout"] = RetryOn.Timeout,
        ["502"] = RetryOn.Status502,
        ["503"] = RetryOn.Status503,
        ["504"] = RetryOn.Status504,
    };

    public static RetrySnapshot? Retries(ResourceReport r, FieldPath field, RetrySpec? spec)
    {
        if (spec is null) return RetrySnapshot.Default;
        // 0 turns retries off, the default one included.
        Ranges.Check(r, field.Field("attempts"), spec.Attempts, 0, 10);
        var on = RetryOn.None;
        for (var i = 0; i < (spec.On?.Count ?? 0); i++)
        {
            if (RetryConditions.TryGetValue(spec.On![i], out var flag)) on |= flag;
            else r.Error(field.Field("on").Index(i), $"expected one of {string.Join(", ", RetryConditions.Keys)}, got \"{spec.On[i]}\"");
        }
        if (spec.On is null) on = RetryOn.ConnectFailure | RetryOn.Reset;
        Ranges.Positive(r, field.Field("perTryTimeout"), spec.PerTryTimeout);
        Ranges.Percent(r, field.Field("budgetPercent"), spec.BudgetPercent);
        return new RetrySnapshot
        {
            Attempts = spec.Attempts,
            On = on,
            PerTryTimeout = spec.PerTryTimeout?.Value,
            TotalTimeout = spec.TotalTimeout?.Value ?? DefaultTotalTimeout(spec),
            NonIdempotent = spec.NonIdempotent ?? false,
            BudgetPercent = spec.BudgetPercent ?? RetryDefaults.BudgetPercent,
        };
    }

    /// <summary>
    /// 15 s, unless the route's own per-try timeout asks for longer: a route that allows each of its tries 20 s keeps
    /// all of them, as it did before the bound existed.
    /// </summary>
    private static TimeSpan DefaultTotalTimeout(RetrySpec spec) =>
        spec.PerTryTimeout?.Value is { } perTry && perTry * (spec.Attempts + 1) > RetrySnapshot.DefaultTotalTimeout
            ? perTry * (spec.Attempts + 1)
            : RetrySnapshot.DefaultTotalTimeout;

    public static HeaderRulesSnapshot? Headers(ResourceReport r, FieldPath field, HeaderModifierSpec? spec)
    {
        if (spec is null) return null;
        return new HeaderRulesSnapshot
        {
            Set = Pairs(r, field.Field("set"), spec.Set),
            Add = Pairs(r, field.Field("add"), spec.Add),
            Remove = [.. (spec.Remove ?? []).Select((name, i) => CheckName(r, field.Field("remove").Index(i), name))],
        };
    }

    private static ImmutableArray<KeyValuePair<string, string>> Pairs(ResourceReport r, FieldPath field, Dictionary<string, string>? map)
    {
        if (map is null) return [];
        var result = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (var (name, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            CheckName(r, field.Field(name), name);
            if (!Names.IsHeaderValue(value)) r.Error(field.Field(name), "header values must not contain line breaks or control characters");
            result.Add(KeyValuePair.Create(name, value));
        }
        return result.ToImmutable();
    }

    private static string CheckName(ResourceReport r, FieldPath field, string name)
    {
        if (!Names.IsToken(name)) r.Error(field, $"\"{name}\" is not a valid header name");
        return name;
    }
}
