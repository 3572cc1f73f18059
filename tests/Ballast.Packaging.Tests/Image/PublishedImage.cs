using Ballast.Packaging.Tests.Support;
using Ballast.Testing;

namespace Ballast.Packaging.Tests.Image;

/// <summary>
/// Replays the Dockerfile's build stage on the host: each COPY copies from the repository into a scratch /src
/// (bin/obj left out, as .dockerignore does), each RUN runs verbatim there with /app pointing at a scratch
/// output folder. Done once for the test class (a Release publish of both programs takes a while).
/// </summary>
public sealed class PublishedImage() : ReplayedBuildStage("build", "/app");

/// <summary>The demo echo backend's image (<c>docker build --target echo-backend</c>): its build stage replayed.</summary>
public sealed class PublishedEchoImage() : ReplayedBuildStage("echo-build", "/echo");

/// <summary>One build stage of the Dockerfile replayed on the host; <paramref name="output"/> is the folder its publish writes.</summary>
public abstract class ReplayedBuildStage(string stage, string output) : IAsyncLifetime
{
    private string _root = "";
    public string Src => Path.Combine(_root, "src");
    /// <summary>Where the stage's output folder (/app, /echo) landed on the host.</summary>
    public string App => Path.Combine(_root, "out");
    public List<string> Commands { get; } = [];

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("ballast-image-").FullName;
        Directory.CreateDirectory(Src);
        var build = Dockerfile.Load().Stages.Single(s => s.Name == stage);
        var workdir = "/";
        foreach (var step in build.Instructions)
        {
            switch (step.Keyword)
            {
                case "WORKDIR":
                    workdir = step.Arguments;
                    break;
                case "COPY":
                    Copy(step.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries), workdir);
                    break;
                case "RUN":
                    var args = step.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                        .Select(a => a == output ? App : a).ToArray();
                    if (args[0] != "dotnet") throw new InvalidOperationException($"the build stage may only RUN dotnet (no shell in this replay): RUN {step.Arguments}");
                    Commands.Add(string.Join(' ', args));
                    (await ProcessRunner.RunAsync(Tools.Dotnet, args[1..], workingDirectory: Map(workdir),
                        environment: new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
                        timeout: TimeSpan.FromMinutes(8))).EnsureSuccess("RUN " + step.Arguments);
                    break;
                case "ENV" or "ARG" or "LABEL":
                    break;
                default:
                    throw new InvalidOperationException($"the build-stage replay does not know {step.Keyword}");
            }
        }
    }

    /// <summary>Container path → host path (the build stage works under /src).</summary>
    private string Map(string containerPath) =>
        containerPath.StartsWith("/src", StringComparison.Ordinal) ? Src + containerPath[4..] : throw new InvalidOperationException($"unexpected path {containerPath}");

    private void Copy(string[] parts, string workdir)
    {
        var dest = parts[^1].StartsWith('/') ? parts[^1] : workdir.TrimEnd('/') + "/" + parts[^1];
        foreach (var source in parts[..^1])
        {
            if (source.StartsWith("--", StringComparison.Ordinal)) throw new InvalidOperationException("COPY flags are not replayed: " + source);
            var from = RepoPaths.Of(source.TrimEnd('/'));
            if (Directory.Exists(from)) CopyDirectory(from, Map(dest.TrimEnd('/')));
            else
            {
                var target = dest.EndsWith('/') ? Path.Combine(Map(dest.TrimEnd('/')), Path.GetFileName(from)) : Map(dest);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(from, target, overwrite: true);
            }
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        foreach (var dir in Directory.GetDirectories(from))
            if (Path.GetFileName(dir) is not ("bin" or "obj")) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
