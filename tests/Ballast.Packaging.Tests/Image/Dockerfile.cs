using Ballast.Testing;

namespace Ballast.Packaging.Tests.Image;

/// <summary>
/// The repository's Dockerfile, read as instructions: stages with their COPY and RUN steps, the runtime stage's
/// USER, ENTRYPOINT and ENV. No container engine runs here, so tests replay the build stage's steps on the host.
/// </summary>
public sealed class Dockerfile
{
    public sealed record Instruction(string Keyword, string Arguments);
    public sealed record Stage(string Image, string? Name, List<Instruction> Instructions);

    public List<Stage> Stages { get; } = [];

    public static Dockerfile Load() => Parse(File.ReadAllText(RepoPaths.Of("Dockerfile")));

    public static Dockerfile Parse(string text)
    {
        var result = new Dockerfile();
        var logical = new List<string>();
        var pending = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (pending.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0)) continue;
            if (line.EndsWith('\\')) { pending += line[..^1] + " "; continue; }
            logical.Add(pending + line);
            pending = "";
        }
        foreach (var line in logical)
        {
            var trimmed = line.Trim();
            var space = trimmed.IndexOf(' ');
            var keyword = (space < 0 ? trimmed : trimmed[..space]).ToUpperInvariant();
            var args = space < 0 ? "" : trimmed[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                result.Stages.Add(new Stage(parts[0], parts.Length >= 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null, []));
            }
            else if (result.Stages.Count == 0) throw new FormatException($"{keyword} before FROM");
            else result.Stages[^1].Instructions.Add(new Instruction(keyword, args));
        }
        return result;
    }

    public Stage Build => Stages.Single(s => s.Name == "build");
    public Stage Runtime => Stages[^1];
}
