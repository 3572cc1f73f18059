using Ballast.Ingress.HighAvailability;
using Prometheus;

namespace Ballast.Ingress.Tests.HighAvailability;

/// <summary>HaRoles tells its listeners of every role keepalived reports (the moved-VIP check runs on it).</summary>
public sealed class HaRolesTests
{
    [Fact]
    public void Every_reported_role_raises_Changed_a_refused_one_does_not()
    {
        var roles = new HaRoles(new CollectorRegistry());
        var changes = 0;
        roles.Changed += () => changes++;

        Assert.Null(roles.TrySet("VI_1", "BACKUP"));
        Assert.NotNull(roles.TrySet("VI_1", "LEADER"));

        Assert.Equal(1, changes);
    }
}
