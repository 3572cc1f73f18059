using System.Reflection;

namespace Ballast.Ingress.Hosting;

/// <summary>
/// What <c>ballast --version</c> prints: the version (Directory.Build.props, the chart's appVersion) and the git
/// commit stamped at build time. The SDK appends the commit to the informational version as <c>+sha</c>
/// (SourceRevisionId: from git in a clone, from the image build's <c>BALLAST_COMMIT</c> argument in the image).
/// </summary>
public static class BuildVersion
{
    private static readonly string Informational =
        typeof(BuildVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The version without the commit.</summary>
    public static string Number => Informational.Split('+')[0];

    /// <summary>The commit (12 characters), or null when the build had none.</summary>
    public static string? Commit => Informational.Split('+') is [_, var sha, ..] && sha.Length > 0 && sha != "unknown" ? sha[..Math.Min(12, sha.Length)] : null;

    /// <summary><c>0.1.0 (commit 0123456789ab)</c>, or <c>0.1.0 (commit unknown)</c>.</summary>
    public static string Text => $"{Number} (commit {Commit ?? "unknown"})";
}
