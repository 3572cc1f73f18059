using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Inputs;

/// <summary>
/// A whole listener a front-end wants on a port, with its routes already in match order. The Compiler gives each
/// port to one input (see <see cref="PortArbiter"/>); a claim that loses is left out and told why.
/// </summary>
/// <param name="Owner">The object that asked for the port (a Gateway): its age decides, and it is named in messages.</param>
/// <param name="Field">Where in the owner the port is asked for (<c>spec.listeners[0].port</c>).</param>
/// <param name="Reserved">The port is this input's by configuration (the Ingress ports, <c>--ingress-http-port</c>): it wins over every other claimant.</param>
internal sealed record PortClaim(Resource Owner, ResourceReport Report, FieldPath Field, ListenerSnapshot Listener, bool Reserved = false);

/// <summary>What a front-end hands back to the Compiler.</summary>
internal sealed class FrontEndTranslation
{
    /// <summary>Pools its routes use; ids must not clash with native ones (use a character a resource name cannot hold).</summary>
    public List<PoolSnapshot> Pools { get; } = [];

    public List<PortClaim> Ports { get; } = [];

    /// <summary>The generation of each object the snapshot was built from ("Kind ns/name" → generation), for <c>Programmed</c>.</summary>
    public Dictionary<ResourceKey, long> Generations { get; } = [];

    /// <summary>
    /// Statuses in the family's own vocabulary, once the ports are settled: <c>refused</c> holds the claims that lost
    /// their port, with the message that says to whom. Called once.
    /// </summary>
    public Func<IReadOnlyDictionary<PortClaim, string>, IEnumerable<ResourceStatus>> Statuses { get; init; } = _ => [];
}
