using System.Net;
using Ballast.Ingress.HighAvailability;

namespace Ballast.Ingress.Tests.HighAvailability;

/// <summary>Which VIPs moved to the peer: held here on a network interface before, on lo (where the sample parks them) only now.</summary>
public sealed class MovedAddressesTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress SecondVip = IPAddress.Parse("192.0.2.11");
    private static readonly IPAddress Own = IPAddress.Parse("192.0.2.2");

    private static (IPAddress, bool)[] Node(params IPAddress[] onEth0) =>
        [(IPAddress.Loopback, true), (IPAddress.IPv6Loopback, true), (Vip, true), (SecondVip, true), (Own, false), .. onEth0.Select(a => (a, false))];

    [Fact]
    public void A_VIP_held_before_and_on_lo_only_now_moved_away()
    {
        var addresses = new MovedAddresses();
        Assert.Empty(addresses.Update(Node(Vip, SecondVip))); // master of both

        var moved = addresses.Update(Node(SecondVip)); // keepalived took the first VIP off eth0

        Assert.Equal([Vip], moved);
    }

    [Fact]
    public void A_VIP_never_held_by_this_process_has_not_moved()
    {
        // A node that (re)started as backup: the VIP is on lo only, but its clients were never this process's; when it
        // takes the VIP, its first clients may come before keepalived's report does, and must not be sent away.
        var addresses = new MovedAddresses();

        Assert.Empty(addresses.Update(Node()));
        Assert.Empty(addresses.Update(Node(Vip)));
    }

    [Fact]
    public void A_VIP_that_came_back_is_held_again()
    {
        var addresses = new MovedAddresses();
        addresses.Update(Node(Vip));
        Assert.Equal([Vip], addresses.Update(Node()));

        Assert.Empty(addresses.Update(Node(Vip)));
    }

    [Fact]
    public void Loopback_addresses_never_move()
    {
        Assert.Empty(new MovedAddresses().Update([(IPAddress.Loopback, true), (IPAddress.Parse("127.0.0.2"), true), (Own, false)]));
    }
}
