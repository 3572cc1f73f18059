using Ballast.Model.Resources.GatewayApi;

namespace Ballast.Model.GatewayApi;

/// <summary>Whether a ReferenceGrant in the target's namespace lets an object of one namespace and kind refer to it.</summary>
internal sealed class ReferenceGrants(IEnumerable<ReferenceGrant> grants)
{
    private readonly List<ReferenceGrant> _grants = [.. grants];

    /// <summary>A reference within one namespace needs no grant.</summary>
    public bool Permits(string fromGroup, string fromKind, string fromNamespace, string toGroup, string toKind, string toNamespace, string toName)
    {
        if (fromNamespace == toNamespace) return true;
        return _grants.Any(g => g.NamespaceOrDefault == toNamespace
            && g.Spec.From.Any(f => f.Group == fromGroup && f.Kind == fromKind && f.Namespace == fromNamespace)
            && g.Spec.To.Any(t => t.Group == toGroup && t.Kind == toKind && (string.IsNullOrEmpty(t.Name) || t.Name == toName)));
    }
}
