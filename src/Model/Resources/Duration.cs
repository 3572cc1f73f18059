using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ballast.Model.Resources;

/// <summary>
/// A duration written the way Kubernetes users write them: <c>500ms</c>, <c>5s</c>, <c>1m30s</c>, <c>2h</c>.
/// Kept as its own type so that a bad duration fails at load time with the field's path, not at use.
/// </summary>
[JsonConverter(typeof(DurationJsonConverter))]
public readonly record struct Duration(TimeSpan Value)
{
    public static Duration FromSeconds(double seconds) => new(TimeSpan.FromSeconds(seconds));
    public static Duration FromMilliseconds(double ms) => new(TimeSpan.FromMilliseconds(ms));

    public static bool TryParse(string? text, out Duration duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.AsSpan().Trim();
        long totalTicks = 0;
        var any = false;
        while (!s.IsEmpty)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == 0) return false;
            if (!double.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            s = s[i..];
            var j = 0;
            while (j < s.Length && char.IsAsciiLetter(s[j])) j++;
            var unit = s[..j];
            s = s[j..];
            double ticksPerUnit = unit switch
            {
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => -1,
            };
            if (ticksPerUnit < 0) return false;
            var ticks = number * ticksPerUnit;
            if (ticks > TimeSpan.MaxValue.Ticks - totalTicks) return false;
            totalTicks += (long)ticks;
            any = true;
        }
        duration = new Duration(TimeSpan.FromTicks(totalTicks));
        return any;
    }

    public override string ToString()
    {
        var t = Value;
        if (t == TimeSpan.Zero) return "0s";
        if (t.Ticks % TimeSpan.TicksPerSecond != 0) return $"{(long)t.TotalMilliseconds}ms";
        var parts = "";
        if (t.Hours + t.Days * 24 > 0) parts += $"{(int)t.TotalHours}h";
        if (t.Minutes > 0) parts += $"{t.Minutes}m";
        if (t.Seconds > 0) parts += $"{t.Seconds}s";
        return parts;
    }

    public static implicit operator TimeSpan(Duration d) => d.Value;
}

public sealed class DurationJsonConverter : JsonConverter<Duration>
{
    public override Duration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"expected a duration such as \"30s\" or \"500ms\", got {Describe(ref reader)}");
        var text = reader.GetString();
        if (!Duration.TryParse(text, out var d))
            throw new JsonException($"invalid duration \"{text}\": use a number with a unit (ms, s, m, h), e.g. \"30s\" or \"1m30s\"");
        return d;
    }

    public override void Write(Utf8JsonWriter writer, Duration value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number => $"the number {System.Text.Encoding.UTF8.GetString(reader.ValueSpan)} (a duration needs a unit)",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a list",
        _ => reader.TokenType.ToString(),
    };
}
