using System.Net;
using Ballast.Ingress.L4;

namespace Ballast.Ingress.Tests.L4;

/// <summary>
/// L4 placement keys, pinned: a hashing pool (Maglev, consistent hash) places a TCP client or a UDP flow by them, and
/// an active-active pair keeps a flow's backend across a failover only if both replicas compute the same key, also
/// while they run different versions (docs/l4.md). A change here moves flows; it must be deliberate.
/// </summary>
public sealed class ClientAddressHashTests
{
    [Theory]
    [InlineData("203.0.113.7", 12425298955340179495UL)]
    [InlineData("::ffff:203.0.113.7", 12425298955340179495UL)] // IPv4-mapped: the IPv4 address's value
    [InlineData("10.0.0.1", 5284476429759257343UL)]
    [InlineData("2001:db8::7", 8624972600891037894UL)]
    public void A_client_address_hashes_to_its_pinned_value(string address, ulong expected) =>
        Assert.Equal(expected, ClientAddressHash.Of(IPAddress.Parse(address)));

    [Theory]
    [InlineData("203.0.113.7", 40000, 5353, 1594314243126611399UL)]
    [InlineData("::ffff:203.0.113.7", 40000, 5353, 1594314243126611399UL)] // IPv4-mapped: the IPv4 flow's value
    [InlineData("203.0.113.7", 40001, 5353, 15466278884176019669UL)]
    [InlineData("203.0.113.7", 40000, 53, 10468505295440066814UL)]
    [InlineData("2001:db8::7", 40000, 5353, 9173792017715609088UL)]
    public void A_udp_flow_hashes_to_its_pinned_value(string address, int clientPort, int listenerPort, ulong expected) =>
        Assert.Equal(expected, ClientAddressHash.OfFlow(new IPEndPoint(IPAddress.Parse(address), clientPort), listenerPort));
}
