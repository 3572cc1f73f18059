using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.Runtime;

namespace Ballast.Ingress.Tests.Health;

public sealed class AvailabilityTests
{
    private static ImmutableArray<EndpointState> Pool(int primaries, int backups = 0, int draining = 0) =>
    [
        .. HealthFixtures.Endpoints(primaries),
        .. HealthFixtures.Endpoints(backups, backup: true),
        .. Enumerable.Range(0, draining).Select(i => HealthFixtures.Endpoint($"10.0.2.{i + 1}", draining: true)),
    ];

    private static void Down(EndpointState e) => e.Health.SetActiveDown(true);

    private static void Same(IEnumerable<EndpointState> expected, ImmutableArray<EndpointState> actual) =>
        Assert.Equal(expected.ToArray(), actual.ToArray());

    [Fact]
    public void Healthy_primaries_serve_and_unhealthy_ones_are_left_out()
    {
        var pool = Pool(4, backups: 1);
        Down(pool[3]);
        var set = Availability.Select(pool, 50);
        Assert.Equal(AvailabilityMode.Normal, set.Mode);
        Same(pool[..3], set.Endpoints);
    }

    [Fact]
    public void Backups_take_traffic_only_when_every_primary_is_down_and_give_it_back()
    {
        var pool = Pool(2, backups: 2);
        Down(pool[0]);
        Assert.Equal(AvailabilityMode.Normal, Availability.Select(pool, 0).Mode);
        Assert.DoesNotContain(Availability.Select(pool, 0).Endpoints, e => e.IsBackup);

        Down(pool[1]);
        var backup = Availability.Select(pool, 50);
        Assert.Equal(AvailabilityMode.Backup, backup.Mode);
        Same(pool[2..], backup.Endpoints);

        pool[1].Health.SetActiveDown(false);
        var back = Availability.Select(pool, 0);
        Assert.Equal(AvailabilityMode.Normal, back.Mode);
        Same([pool[1]], back.Endpoints);
    }

    [Fact]
    public void Below_the_panic_threshold_traffic_spreads_over_every_primary()
    {
        var pool = Pool(4, backups: 1);
        Down(pool[0]);
        Down(pool[1]);
        Assert.Equal(AvailabilityMode.Normal, Availability.Select(pool, 50).Mode); // 2 of 4 = 50%: not below

        Down(pool[2]);
        var panic = Availability.Select(pool, 50); // 1 of 4 = 25% < 50%
        Assert.Equal(AvailabilityMode.Panic, panic.Mode);
        Same(pool[..4], panic.Endpoints);

        var noPanic = Availability.Select(pool, 0); // threshold 0 disables panic
        Assert.Equal(AvailabilityMode.Normal, noPanic.Mode);
        Same([pool[3]], noPanic.Endpoints);
    }

    [Fact]
    public void Ejected_endpoints_count_as_unhealthy()
    {
        var pool = Pool(2);
        pool[0].Health.SetEjected(true);
        var set = Availability.Select(pool, 0);
        Same([pool[1]], set.Endpoints);
    }

    [Fact]
    public void With_nothing_healthy_terminating_endpoints_serve_before_a_panic_over_everything()
    {
        var pool = Pool(2, backups: 1, draining: 1);
        Down(pool[0]);
        Down(pool[1]);
        Down(pool[2]);
        var draining = Availability.Select(pool, 50);
        Assert.Equal(AvailabilityMode.Draining, draining.Mode);
        Same([pool[3]], draining.Endpoints);

        Down(pool[3]);
        var panic = Availability.Select(pool, 50);
        Assert.Equal(AvailabilityMode.Panic, panic.Mode);
        Same(pool[..3], panic.Endpoints);

        Assert.Equal(AvailabilityMode.None, Availability.Select(pool, 0).Mode);
    }

    [Fact]
    public void Terminating_endpoints_get_nothing_while_a_healthy_primary_remains()
    {
        var pool = Pool(1, draining: 2);
        var set = Availability.Select(pool, 50);
        Assert.Equal(AvailabilityMode.Normal, set.Mode);
        Same([pool[0]], set.Endpoints);
    }

    [Fact]
    public void Removed_endpoints_never_take_new_requests()
    {
        var pool = Pool(2);
        pool[0].Health.MarkRemoved(true);
        Same([pool[1]], Availability.Select(pool, 50).Endpoints);
        pool[1].Health.MarkRemoved(true);
        Assert.Equal(AvailabilityMode.None, Availability.Select(pool, 50).Mode);
    }
}
