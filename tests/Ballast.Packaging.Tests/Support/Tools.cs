using Ballast.Testing;

namespace Ballast.Packaging.Tests.Support;

/// <summary>
/// The external programs these tests drive. helm and kubectl live in the repository's git-ignored .tools/bin
/// (Debian has no helm; scripts/install-packaging-test-deps.sh unpacks them there); the rest come from Debian.
/// Missing tools fail the test loudly through <see cref="ExternalTool.Require"/>.
/// </summary>
public static class Tools
{
    public static string Helm => Local("helm");
    public static string Kubectl => Local("kubectl");
    public static string Promtool => ExternalTool.Require("promtool");
    public static string Prometheus => ExternalTool.Require("prometheus");
    public static string Lua => ExternalTool.Require("lua5.1");
    public static string Dotnet => ExternalTool.Require("dotnet");

    private static string Local(string name)
    {
        var local = RepoPaths.Of(".tools", "bin", name);
        return File.Exists(local) ? local : ExternalTool.Require(name);
    }
}
