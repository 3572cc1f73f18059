using Ballast.Model.Resources;

namespace Ballast.Model.Compilation.Rules;

/// <summary>Numeric and duration bounds, worded the same everywhere.</summary>
internal static class Ranges
{
    public static void Check(ResourceReport r, FieldPath field, long? value, long min, long max)
    {
        if (value is { } v && (v < min || v > max)) r.Error(field, $"must be between {min} and {max}, got {v}");
    }

    public static void Positive(ResourceReport r, FieldPath field, Duration? value)
    {
        if (value is { } d && d.Value <= TimeSpan.Zero) r.Error(field, $"must be longer than 0, got {d}");
    }

    public static void AtLeast(ResourceReport r, FieldPath field, Duration? value, TimeSpan min)
    {
        if (value is { } d && d.Value < min) r.Error(field, $"must be at least {new Duration(min)}, got {d}");
    }

    public static void Percent(ResourceReport r, FieldPath field, int? value) => Check(r, field, value, 0, 100);

    public static void Port(ResourceReport r, FieldPath field, int? value) => Check(r, field, value, 1, 65535);
}
