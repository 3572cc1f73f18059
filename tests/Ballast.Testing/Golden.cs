using Xunit;

namespace Ballast.Testing;

/// <summary>
/// Golden files: a test's output compared with a checked-in expected file. <c>BALLAST_UPDATE_GOLDEN=1</c> rewrites
/// the expected files instead of comparing, so a change of behaviour shows up as a diff a reviewer reads before it
/// is committed (CONTRIBUTING.md, "Golden files").
/// </summary>
public static class Golden
{
    /// <summary>True when the run rewrites expected files rather than checking them.</summary>
    public static bool Updating => Environment.GetEnvironmentVariable("BALLAST_UPDATE_GOLDEN") == "1";

    /// <summary>Asserts <paramref name="actual"/> equals the file at <paramref name="path"/> (or writes it, when updating).</summary>
    public static void Match(string path, string actual)
    {
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"{path} is missing: run with BALLAST_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
