using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Health;

public sealed class SlowStartTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3.3, 1)]
    [InlineData(3.4, 2)]
    [InlineData(15, 5)]
    [InlineData(29.9, 9)]
    [InlineData(30, 10)]
    [InlineData(300, 10)]
    public void The_share_ramps_linearly_from_a_tenth_to_full_over_the_window(double seconds, int tenths) =>
        Assert.Equal(tenths, SlowStartRamp.Tenths(TimeSpan.FromSeconds(seconds), Window));

    [Fact]
    public void A_newly_available_endpoint_ramps_its_effective_weight_and_the_pool_is_told_at_every_step()
    {
        var time = new FakeTimeProvider();
        var steps = 0;
        using var ramp = new SlowStartRamp(Window, time, () => steps++);
        var warm = HealthFixtures.Endpoint("10.0.0.1", weight: 3);
        var cold = HealthFixtures.Endpoint("10.0.0.2", weight: 3);
        Assert.Equal(30, warm.EffectiveWeight);

        ramp.Begin(cold);
        Assert.Equal(3, cold.EffectiveWeight); // 10% of full
        var seen = new List<int> { cold.EffectiveWeight };
        for (var i = 0; i < 12; i++)
        {
            time.Advance(TimeSpan.FromSeconds(30.0 / 9));
            seen.Add(cold.EffectiveWeight);
        }

        Assert.Equal(30, cold.EffectiveWeight);
        Assert.Equal(seen.Order().ToList(), seen); // never goes back down
        Assert.Equal(9, steps); // 1 → 10 tenths, one rebuild per step, none after
        Assert.Empty(ramp.Ramping);
        Assert.Equal(30, warm.EffectiveWeight);
    }

    [Fact]
    public void Stopping_a_ramp_restores_full_weight()
    {
        var time = new FakeTimeProvider();
        using var ramp = new SlowStartRamp(Window, time, () => { });
        var e = HealthFixtures.Endpoint();
        ramp.Begin(e);
        Assert.Equal(1, e.Health.SlowStartTenths);
        ramp.Stop(e);
        Assert.Equal(EndpointHealth.EffectiveWeightScale, e.Health.SlowStartTenths);
        Assert.Empty(ramp.Ramping);
    }
}
