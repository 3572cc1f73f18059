using System.Globalization;
using Ballast.Testing;
using CsCheck;

namespace Ballast.Model.Tests.Yaml;

/// <summary>
/// Inputs for the property tests of the YAML loader and the Compiler: random text in YAML's alphabet, token soup
/// shaped like our resources, and the repository's real manifests (samples and the Ingress corpus) mutated.
/// </summary>
internal static class YamlInputs
{
    /// <summary>
    /// Cases per property: <paramref name="inSuite"/> (the suite stays fast), or <c>BALLAST_PROPERTY_ITERATIONS</c>
    /// for a longer run (CONTRIBUTING.md).
    /// </summary>
    public static long Iterations(long inSuite) =>
        Environment.GetEnvironmentVariable("BALLAST_PROPERTY_ITERATIONS") is { Length: > 0 } value ? long.Parse(value, CultureInfo.InvariantCulture) : inSuite;

    /// <summary>Every manifest the repository ships or tests with, as text.</summary>
    public static readonly string[] Seeds =
    [
        .. new[] { RepoPaths.Of("samples"), RepoPaths.Of("tests", "Ballast.Model.Tests", "Ingresses", "Corpus") }
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*.yaml", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllText),
    ];

    /// <summary>Characters that make YAML structure, and a few that break it.</summary>
    public static readonly Gen<string> Text = Gen.String[Gen.Char["abxyz09 :-[]{},#&*!|>'\"%@`\n\t.~\\\0é"], 0, 300];

    private static readonly string[] Tokens =
    [
        "apiVersion: ballast.dev/v1alpha1\n", "apiVersion: networking.k8s.io/v1\n", "apiVersion: gateway.networking.k8s.io/v1\n",
        "kind: BackendPool\n", "kind: LoadBalancerPolicy\n", "kind: Ingress\n", "kind: HTTPRoute\n", "kind: Gateway\n", "kind: Service\n",
        "kind: Secret\n", "metadata:\n", "  name: a\n", "  name: b\n", "  namespace: shop\n", "spec:\n", "  listeners:\n",
        "  - name: http\n", "    port: 8080\n", "    port: -1\n", "    protocol: HTTPS\n", "  routes:\n", "  - backends: [ { pool: a } ]\n",
        "    match: { pathPrefix: /api }\n", "  endpoints: [ { address: \"127.0.0.1:9001\" } ]\n", "  endpoints: [ { address: \"nope\" } ]\n",
        "  loadBalancing: { algorithm: Maglev }\n", "  healthCheck: { active: { http: { path: /h } } }\n", "  rules:\n", "  - host: x.example\n",
        "  parentRefs: [ { name: g } ]\n", "  weight: 0\n", "  weight: 1e9\n", "---\n", "- \n", "  ", "{", "}", "[", "]", ": ", "null\n", "~\n",
        "&anchor ", "*anchor\n", "!!str ", "'quoted'\n", "\"\\u0000\"\n", "|\n", "    text\n", "\t", "# comment\n",
    ];

    /// <summary>Resource-shaped token soup: mostly well-formed lines in random order and nesting.</summary>
    public static readonly Gen<string> Soup = Gen.Int[0, Tokens.Length - 1].Array[0, 40].Select(picks => string.Concat(picks.Select(i => Tokens[i])));

    private static readonly string[] Scalars =
    [
        "", "null", "~", "-1", "0", "65536", "99999999999999999999", "1.5", "true", "[]", "{}", "[ null ]", "'x'", "\"*\"", "\"\"",
        "0s", "-5s", "1h30x", "abc", "&a x", "*missing", "!!binary AA==", "\"127.0.0.1:99999\"", "\"::1\"", "/", "*", ".*(", new string('z', 300),
    ];

    /// <summary>A real manifest with one to four mutations: lines deleted, doubled, swapped, re-indented, values replaced, keys added, text cut.</summary>
    public static readonly Gen<string> Mutated =
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Select(Gen.Int[0, 6], Gen.Int[0, 10_000], Gen.Int[0, 10_000]).Array[1, 4])
            .Select(t => Mutate(Seeds[t.Item1], t.Item2));

    private static string Mutate(string seed, (int Kind, int A, int B)[] operations)
    {
        var lines = seed.Replace("\r", "", StringComparison.Ordinal).Split('\n').ToList();
        foreach (var (kind, a, b) in operations)
        {
            if (lines.Count == 0) break;
            var i = a % lines.Count;
            var line = lines[i];
            switch (kind)
            {
                case 0:
                    lines.RemoveAt(i);
                    break;
                case 1:
                    lines.Insert(i, line);
                    break;
                case 2:
                    var j = b % lines.Count;
                    (lines[i], lines[j]) = (lines[j], line);
                    break;
                case 3:
                    lines[i] = b % 2 == 0 ? "  " + line : line.TrimStart();
                    break;
                case 4:
                    var colon = line.IndexOf(": ", StringComparison.Ordinal);
                    lines[i] = colon < 0 ? Scalars[b % Scalars.Length] : line[..(colon + 2)] + Scalars[b % Scalars.Length];
                    break;
                case 5:
                    var indent = line[..(line.Length - line.TrimStart().Length)];
                    lines.Insert(i, indent + (b % 3 == 0 ? "unknownField: 1" : b % 3 == 1 ? "spec: {}" : "- x"));
                    break;
                default:
                    var text = string.Join('\n', lines);
                    lines = [.. text[..(b % (text.Length + 1))].Split('\n')];
                    break;
            }
        }
        return string.Join('\n', lines);
    }
}
