using System.Globalization;
using System.Text.RegularExpressions;

namespace Ballast.Testing;

/// <summary>
/// A copy of a folder of <c>samples/</c> for a test to serve: the fixed ports the sample names (8080, the echo
/// backends' 9001-9003 …) replaced by the test's, wherever they stand as whole numbers in the YAML, and any other
/// text the test must move (a directory URL, a hostname). Other files (keys, tokens) are copied as they are, so what
/// runs is what the sample's README shows.
/// </summary>
public static class SampleFolder
{
    /// <param name="sample">The folder under <c>samples/</c>: <c>sticky-cookie</c>, <c>ingress/standalone</c> …</param>
    /// <param name="ports">The sample's port → the test's; ports not listed stay.</param>
    /// <param name="text">Other replacements in the YAML, made before the ports.</param>
    public static string Copy(string sample, IReadOnlyDictionary<int, int> ports, IReadOnlyDictionary<string, string>? text = null)
    {
        var from = RepoPaths.Of(["samples", .. sample.Split('/')]);
        var to = Directory.CreateTempSubdirectory("ballast-sample-").FullName;
        var pattern = ports.Count == 0 ? null : new Regex(@"(?<![0-9])(" + string.Join("|", ports.Keys) + @")(?![0-9])", RegexOptions.CultureInvariant);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (Path.GetExtension(file) != ".yaml")
            {
                File.Copy(file, target);
                continue;
            }
            var yaml = File.ReadAllText(file);
            foreach (var (old, replacement) in text ?? new Dictionary<string, string>()) yaml = yaml.Replace(old, replacement, StringComparison.Ordinal);
            if (pattern is not null)
                yaml = pattern.Replace(yaml, m => ports[int.Parse(m.Value, CultureInfo.InvariantCulture)].ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(target, yaml);
        }
        return to;
    }
}
