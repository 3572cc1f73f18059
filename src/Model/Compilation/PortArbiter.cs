using Ballast.Model.Inputs;
using Ballast.Model.Resources;

namespace Ballast.Model.Compilation;

/// <summary>
/// Decides which input owns each port when several claim it: native policies and the front-ends' listeners never
/// share a port (their routes follow different rules), so the oldest claimant takes the port — creationTimestamp,
/// then native before the front-ends in <see cref="FrontEnds.All"/> order, then namespace/name — and every other
/// claimant is refused with a message naming the owner. Never merged silently.
/// </summary>
internal static class PortArbiter
{
    public sealed record Outcome(
        /// <summary>Ports the native policies lost: port → the message for their listeners there.</summary>
        IReadOnlyDictionary<int, string> TakenFromNative,
        /// <summary>Front-end claims that lost their port, with the message.</summary>
        IReadOnlyDictionary<PortClaim, string> Refused);

    private sealed record Claimant(Resource Owner, int Family, PortClaim? Claim)
    {
        public string Describe(int port) => Claim is null
            ? $"{Owner.Key} (a native listener)"
            : $"{Owner.Key} {Claim.Field}";
    }

    /// <param name="claims">Per front-end (in <see cref="FrontEnds.All"/> order), its port claims.</param>
    public static Outcome Decide(IReadOnlyList<CompiledPolicy> nativePolicies, IReadOnlyList<IReadOnlyList<PortClaim>> claims)
    {
        var byPort = new SortedDictionary<int, List<Claimant>>();
        // The native input claims a port once, through its oldest policy there (policies are already in resource order).
        foreach (var policy in nativePolicies)
            foreach (var listener in policy.Listeners)
            {
                var list = Get(byPort, listener.Spec.Port);
                if (!list.Any(c => c.Family == 0)) list.Add(new Claimant(policy.Policy, 0, null));
            }
        for (var f = 0; f < claims.Count; f++)
            foreach (var claim in claims[f])
                Get(byPort, claim.Listener.Port).Add(new Claimant(claim.Owner, f + 1, claim));

        var taken = new Dictionary<int, string>();
        var refused = new Dictionary<PortClaim, string>();
        foreach (var (port, claimants) in byPort)
        {
            if (claimants.Count < 2) continue;
            var ordered = claimants
                .OrderByDescending(c => c.Claim?.Reserved == true)
                .ThenBy(c => c.Owner.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue)
                .ThenBy(c => c.Family)
                .ThenBy(c => c.Owner.NamespaceOrDefault, StringComparer.Ordinal)
                .ThenBy(c => c.Owner.Metadata.Name, StringComparer.Ordinal)
                .ToList();
            var owner = ordered[0];
            var message = owner.Claim?.Reserved == true
                ? $"port {port} is reserved for Ingress traffic (--ingress-http-port / --ingress-https-port) and {owner.Describe(port)} is served there; this listener is not served"
                : $"port {port} belongs to {owner.Describe(port)}, which claimed it first; " +
                          "listeners of different inputs (or of different Gateways) never share a port, so this one is not served";
            foreach (var loser in ordered.Skip(1))
            {
                if (loser.Claim is null) taken[port] = message;
                else refused[loser.Claim] = message;
            }
        }
        return new Outcome(taken, refused);
    }

    private static List<Claimant> Get(SortedDictionary<int, List<Claimant>> byPort, int port)
    {
        if (!byPort.TryGetValue(port, out var list)) byPort[port] = list = [];
        return list;
    }
}
