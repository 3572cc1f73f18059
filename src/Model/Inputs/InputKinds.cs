using System.Collections.Immutable;
using Ballast.Model.Resources;
using Ballast.Model.Resources.Core;

namespace Ballast.Model.Inputs;

/// <summary>
/// Every kind Ballast reads, by API group: its own (native) resources, the core objects they refer to, and the
/// kinds of each front-end (<see cref="FrontEnds.All"/>). The YAML loader recognises documents through this
/// list and the operator chooses what to watch from it, so a new front-end is visible everywhere by adding it.
/// </summary>
public static class InputKinds
{
    public static readonly InputGroup Native = new(ApiGroup.Group, UnknownKinds.Error,
    [
        new(ApiGroup.Group, LoadBalancerPolicy.KindName, [ApiGroup.Version], typeof(LoadBalancerPolicy)),
        new(ApiGroup.Group, BackendPool.KindName, [ApiGroup.Version], typeof(BackendPool)),
    ]);

    /// <summary>Services, EndpointSlices, Secrets and Namespaces (their labels): what standalone mode reads from the folder in place of a cluster.</summary>
    public static readonly ImmutableArray<InputGroup> Core =
    [
        new("", UnknownKinds.Skip,
        [
            new("", Service.KindName, ["v1"], typeof(Service)),
            new("", Secret.KindName, ["v1"], typeof(Secret)),
            new("", Namespace.KindName, ["v1"], typeof(Namespace), ClusterScoped: true),
        ]),
        new("discovery.k8s.io", UnknownKinds.Skip, [new("discovery.k8s.io", EndpointSlice.KindName, ["v1"], typeof(EndpointSlice))]),
    ];

    public static ImmutableArray<InputGroup> All { get; } = [Native, .. Core, .. FrontEnds.All.SelectMany(f => f.Groups)];

    /// <summary>The kinds of the front-ends (not native, not core): what goes into <see cref="Compilation.CompilerInput.Inputs"/>.</summary>
    public static ImmutableArray<InputKind> FrontEndKinds { get; } = [.. FrontEnds.All.SelectMany(f => f.Groups).SelectMany(g => g.Kinds)];

    /// <summary>The group of an <c>apiVersion</c> (<c>gateway.networking.k8s.io/v1</c> → its group; <c>v1</c> → the core group "").</summary>
    public static (string Group, string Version) Split(string apiVersion)
    {
        var slash = apiVersion.LastIndexOf('/');
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }

    public static InputGroup? Group(string group) => All.FirstOrDefault(g => g.Group == group);
}
