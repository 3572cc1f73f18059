using Ballast.Ingress.Affinity;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Affinity;

public sealed class AffinityTableTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);

    [Fact]
    public void A_pin_expires_after_its_ttl_unless_used_and_each_use_pushes_the_expiry_forward()
    {
        var time = new FakeTimeProvider();
        var table = new AffinityTable(time);
        table.Put(1, "a:1", null, Ttl);
        table.Put(2, "b:1", null, Ttl);

        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromMinutes(6));
            Assert.True(table.TryGet(1, Ttl, out var pin)); // used every 6 minutes: stays
            Assert.Equal("a:1", pin.EndpointId);
        }
        Assert.False(table.TryGet(2, Ttl, out _)); // untouched for 18 minutes: gone
    }

    [Fact]
    public void The_table_stays_within_its_capacity()
    {
        var time = new FakeTimeProvider();
        var table = new AffinityTable(time, capacity: 1000);
        for (ulong k = 0; k < 5000; k++) table.Put(k, "e", null, Ttl);

        Assert.InRange(table.Count, 1, 1000);
    }

    [Fact]
    public void Reconciling_replaces_a_pin_only_when_it_still_names_the_expected_endpoint()
    {
        var table = new AffinityTable(new FakeTimeProvider());
        table.Put(1, "a:1", "k", Ttl);
        table.ReplaceIf(1, "zzz", "b:1", "k", Ttl);
        Assert.True(table.TryGet(1, Ttl, out var pin));
        Assert.Equal("a:1", pin.EndpointId);

        table.ReplaceIf(1, "a:1", "b:1", "k", Ttl);
        Assert.True(table.TryGet(1, Ttl, out pin));
        Assert.Equal("b:1", pin.EndpointId);
    }
}
