using System.Globalization;
using System.Text.Json.Nodes;

namespace Ballast.KubeEmulator.Validation;

/// <summary>JSON numbers whatever backs the node (parsed text, a long, a double from YAML).</summary>
internal static class Numbers
{
    public static bool IsInteger(JsonNode value, out long result) =>
        long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);

    public static double AsDouble(JsonNode value) =>
        double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
