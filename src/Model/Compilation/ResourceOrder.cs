using Ballast.Model.Resources;

namespace Ballast.Model.Compilation;

/// <summary>The order in which resources win conflicts and ties: oldest first, then namespace/name.</summary>
internal static class ResourceOrder
{
    public static List<T> Sort<T>(IEnumerable<T> resources) where T : Resource =>
        resources.OrderBy(r => r.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue)
            .ThenBy(r => r.NamespaceOrDefault, StringComparer.Ordinal)
            .ThenBy(r => r.Metadata.Name, StringComparer.Ordinal)
            .ToList();
}
