using System.Collections.Immutable;
using Ballast.Model.Compilation;

namespace Ballast.Model.Inputs;

/// <summary>
/// One family of input kinds beside the native LoadBalancerPolicy/BackendPool (Gateway API, Ingress …), translated
/// into what the Compiler assembles a snapshot from: pools, and whole listeners per port with their routes in
/// match order. Pure like the Compiler. The snapshot does not learn where a route came from; statuses are
/// written in the family's own vocabulary, after the Compiler has settled which input owns each port.
/// </summary>
internal interface IFrontEnd
{
    /// <summary>For messages: "Gateway API".</summary>
    string Name { get; }

    /// <summary>The API groups and kinds it reads (the loader and the operator learn them from here).</summary>
    ImmutableArray<InputGroup> Groups { get; }

    FrontEndTranslation Translate(FrontEndContext context);
}

/// <summary>The front-ends, in the order they are consulted (and break ties on a port after the native input).</summary>
internal static class FrontEnds
{
    public static readonly ImmutableArray<IFrontEnd> All = [new GatewayApi.GatewayApiFrontEnd(), new Ingresses.IngressFrontEnd()];

    /// <summary>True when <paramref name="type"/> is one of the front-ends' kinds (not native, not core).</summary>
    public static bool Reads(Type type) => All.Any(f => f.Groups.Any(g => g.Kinds.Any(k => k.Type == type)));
}
