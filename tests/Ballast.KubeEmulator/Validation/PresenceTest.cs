using System.Text;
using System.Text.RegularExpressions;

namespace Ballast.KubeEmulator.Validation;

/// <summary>
/// CEL's <c>has(e.f)</c> on a map is true when the key <c>f</c> is present, whatever its value (cel-spec,
/// "Macros"); Kubernetes relies on it (<c>has(self.tcp)</c> for <c>tcp: {}</c> is true). The Cel package (0.3.3)
/// answers with proto3 presence instead: false for an empty object, list or string. Custom resources reach CEL as
/// maps, so the emulator rewrites each <c>has(a.b.f)</c> to the equivalent <c>('f' in a.b)</c> before compiling.
/// </summary>
public static partial class PresenceTest
{
    public static string Rewrite(string expression)
    {
        var result = new StringBuilder();
        var code = new StringBuilder();
        var i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (c is '\'' or '"')
            {
                result.Append(HasOnField().Replace(code.ToString(), "('$2' in $1)"));
                code.Clear();
                var end = i + 1;
                while (end < expression.Length && expression[end] != c) end += expression[end] == '\\' ? 2 : 1;
                end = Math.Min(end + 1, expression.Length);
                result.Append(expression, i, end - i);
                i = end;
                continue;
            }
            code.Append(c);
            i++;
        }
        return result.Append(HasOnField().Replace(code.ToString(), "('$2' in $1)")).ToString();
    }

    [GeneratedRegex(@"\bhas\(\s*([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*\.\s*([A-Za-z_]\w*)\s*\)")]
    private static partial Regex HasOnField();
}
