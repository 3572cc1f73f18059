using System.Net;
using System.Net.NetworkInformation;

namespace Ballast.Ingress.HighAvailability;

/// <summary>
/// The virtual IPs this node keeps on its loopback interface without holding them: the sample's node preparation puts
/// every VIP of the pair on <c>lo</c> (samples/ha-pair/scripts/prepare-node.sh), and keepalived adds a VIP to the
/// network interface of the node that holds it. A VIP found on <c>lo</c> and on no other interface therefore moved to
/// the peer: this node still answers the connections it had on it (the peer passes their packets on), and closes each
/// after its next response so that the client reconnects to the peer (docs/ha.md).
/// </summary>
public static class ParkedAddresses
{
    /// <summary>The addresses on a loopback interface, outside the loopback ranges, that no other interface has.</summary>
    public static IReadOnlyCollection<IPAddress> Of(IEnumerable<(IPAddress Address, bool OnLoopbackInterface)> addresses)
    {
        var list = addresses.ToList();
        var held = list.Where(a => !a.OnLoopbackInterface).Select(a => a.Address).ToHashSet();
        return list.Where(a => a.OnLoopbackInterface && !IPAddress.IsLoopback(a.Address) && !held.Contains(a.Address))
            .Select(a => a.Address).Distinct().ToList();
    }

    /// <summary>This node's parked addresses now (read from its interfaces; empty where they cannot be read).</summary>
    public static IReadOnlyCollection<IPAddress> Now()
    {
        try
        {
            return Of(NetworkInterface.GetAllNetworkInterfaces().SelectMany(nic => nic.GetIPProperties().UnicastAddresses
                .Select(a => (a.Address, nic.NetworkInterfaceType == NetworkInterfaceType.Loopback))));
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
