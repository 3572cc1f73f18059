using System.Net;
using System.Net.NetworkInformation;

namespace Ballast.Ingress.HighAvailability;

/// <summary>
/// The virtual IPs that moved from this node to its peer. The sample's node preparation keeps every VIP of the pair on
/// <c>lo</c> (samples/ha-pair/scripts/prepare-node.sh) and keepalived adds a VIP to the network interface of the node
/// that holds it; so a VIP this process saw on a network interface and now finds on <c>lo</c> only was handed to the
/// peer. This node still answers the connections it had on it (the peer passes their packets on) and closes each after
/// its next response, so that the client reconnects to the peer (docs/ha.md).
/// A VIP this process never held is not "moved": a node that returns as backup and then takes the VIP over serves its
/// first clients before keepalived's report of the takeover reaches Ballast, and must not send them away.
/// </summary>
public sealed class MovedAddresses
{
    private readonly HashSet<IPAddress> _heldBefore = [];
    private readonly Lock _lock = new();

    /// <summary>
    /// Takes this node's addresses now (each with whether it sits on a loopback interface) and returns the VIPs that
    /// moved away: outside the loopback ranges, on a loopback interface only, and held on another interface earlier.
    /// </summary>
    public IReadOnlyCollection<IPAddress> Update(IEnumerable<(IPAddress Address, bool OnLoopbackInterface)> addresses)
    {
        var list = addresses.ToList();
        var held = list.Where(a => !a.OnLoopbackInterface).Select(a => a.Address).ToHashSet();
        lock (_lock)
        {
            _heldBefore.UnionWith(held);
            return list.Where(a => a.OnLoopbackInterface && !IPAddress.IsLoopback(a.Address) && !held.Contains(a.Address) && _heldBefore.Contains(a.Address))
                .Select(a => a.Address).Distinct().ToList();
        }
    }

    /// <summary>This node's addresses, read from its interfaces (none where they cannot be read).</summary>
    public static IReadOnlyList<(IPAddress Address, bool OnLoopbackInterface)> OfThisNode()
    {
        try
        {
            return [.. NetworkInterface.GetAllNetworkInterfaces().SelectMany(nic => nic.GetIPProperties().UnicastAddresses
                .Select(a => (a.Address, nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)))];
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
