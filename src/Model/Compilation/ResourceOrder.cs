using Ballast.Model.Resources;

namespace Ballast.Model.Compilation;

/// <summary>The order in which resources win conflicts and ties: oldest first, then namespace/name.</summary>
internal static class ResourceOrder
{
    public static List<T> Sort<T>(IEnumerable<T> resources) where T : Resource =>
        resources.Where(r => r is not null)
            .OrderBy(r => r.Metadata?.CreationTimestamp ?? DateTimeOffset.MinValue)
            .ThenBy(r => r.Metadata?.Namespace is { Length: > 0 } ns ? ns : "default", StringComparer.Ordinal)
            .ThenBy(r => r.Metadata?.Name ?? "", StringComparer.Ordinal)
            .ToList();
}
