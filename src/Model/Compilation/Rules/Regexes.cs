using System.Text.RegularExpressions;

namespace Ballast.Model.Compilation.Rules;

/// <summary>
/// Regexes are compiled here exactly as the data plane compiles them (NonBacktracking: linear time, so a
/// user's pattern cannot stall a request thread), so what the data plane cannot run is refused here.
/// </summary>
public static class Regexes
{
    public const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    internal static void Check(ResourceReport r, FieldPath field, string? pattern)
    {
        if (pattern is null) return;
        if (pattern.Length == 0) { r.Error(field, "must not be empty"); return; }
        try { _ = new Regex(pattern, Options, TimeSpan.FromSeconds(1)); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            r.Error(field, $"invalid regular expression: {e.Message}");
        }
    }
}
