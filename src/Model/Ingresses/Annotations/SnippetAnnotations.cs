namespace Ballast.Model.Ingresses.Annotations;

/// <summary>
/// Raw nginx configuration in annotations is never executed: that is the class of hole behind the
/// IngressNightmare CVEs (CVE-2025-1974 and friends), and Ballast has no text configuration to put it in.
/// </summary>
internal static class SnippetAnnotations
{
    private static readonly string[] Snippets = ["configuration-snippet", "server-snippet", "stream-snippet", "modsecurity-snippet"];

    public static void Read(AnnotationReader a)
    {
        foreach (var n in Snippets)
            a.Unsupported(n, "raw nginx configuration is never executed (the class of hole behind the IngressNightmare CVEs); express it with Ballast route features");
    }
}
