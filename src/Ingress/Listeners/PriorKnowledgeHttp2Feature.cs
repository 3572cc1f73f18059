namespace Ballast.Ingress.Listeners;

/// <summary>Marks a connection whose HTTP/2 was detected by its prior-knowledge preface (cleartext h2c).</summary>
public sealed class PriorKnowledgeHttp2Feature
{
    public static readonly PriorKnowledgeHttp2Feature Instance = new();
}
