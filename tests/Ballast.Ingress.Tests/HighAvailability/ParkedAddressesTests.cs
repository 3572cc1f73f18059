using System.Net;
using Ballast.Ingress.HighAvailability;
using Prometheus;

namespace Ballast.Ingress.Tests.HighAvailability;

/// <summary>Which VIPs moved to the peer: on lo (the sample parks every VIP there) and on no other interface.</summary>
public sealed class ParkedAddressesTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress SecondVip = IPAddress.Parse("192.0.2.11");
    private static readonly IPAddress Own = IPAddress.Parse("192.0.2.2");

    [Fact]
    public void A_VIP_on_lo_only_moved_away_one_also_on_the_network_interface_is_held()
    {
        var parked = ParkedAddresses.Of([
            (IPAddress.Loopback, true), (IPAddress.IPv6Loopback, true), (Vip, true), (SecondVip, true),
            (Own, false), (SecondVip, false), // keepalived added the second VIP to eth0: this node holds it
        ]);

        Assert.Equal([Vip], parked);
    }

    [Fact]
    public void Without_VIPs_on_lo_nothing_moved()
    {
        Assert.Empty(ParkedAddresses.Of([(IPAddress.Loopback, true), (IPAddress.Parse("127.0.0.2"), true), (Own, false)]));
    }

    [Fact]
    public void Every_reported_role_raises_Changed()
    {
        var roles = new HaRoles(new CollectorRegistry());
        var changes = 0;
        roles.Changed += () => changes++;

        Assert.Null(roles.TrySet("VI_1", "BACKUP"));
        Assert.NotNull(roles.TrySet("VI_1", "LEADER")); // refused: nothing changed

        Assert.Equal(1, changes);
    }
}
