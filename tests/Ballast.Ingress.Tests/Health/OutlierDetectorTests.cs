using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Ingress.Tests.Health;

public sealed class OutlierDetectorTests
{
    private static readonly PassiveHealthSnapshot Config = new()
    {
        ConsecutiveFailures = 5,
        EjectionTime = TimeSpan.FromSeconds(30),
        MaxEjectionTime = TimeSpan.FromSeconds(100),
        MaxEjectionPercent = 50,
    };

    private static (OutlierDetector Detector, FakeTimeProvider Time, TransitionLog Log, ImmutableArray<EndpointState> Endpoints) Make(
        int endpoints = 4, PassiveHealthSnapshot? config = null)
    {
        var time = new FakeTimeProvider();
        var log = new TransitionLog();
        var detector = new OutlierDetector(config ?? Config, time, log.Handler);
        var set = HealthFixtures.Endpoints(endpoints);
        detector.SetEndpoints(set);
        return (detector, time, log, set);
    }

    private static void Fail(OutlierDetector detector, EndpointState endpoint, int times, int status = 503)
    {
        for (var i = 0; i < times; i++)
        {
            detector.Report(endpoint, AttemptOutcome.Response(status));
        }
    }

    [Fact]
    public void N_consecutive_5xx_eject_the_endpoint_and_not_one_fewer()
    {
        var (detector, _, log, endpoints) = Make();
        Fail(detector, endpoints[0], 4);
        Assert.False(endpoints[0].Health.IsEjected);
        Fail(detector, endpoints[0], 1);
        Assert.True(endpoints[0].Health.IsEjected);
        Assert.False(endpoints[0].Health.IsHealthy);
        var entry = Assert.Single(log.Entries);
        Assert.Equal(HealthChange.Ejected, entry.Change);
        Assert.Contains("5 consecutive failures, last: HTTP 503", entry.Cause);
    }

    [Fact]
    public void A_success_in_between_resets_the_count_and_4xx_count_as_success()
    {
        var (detector, _, _, endpoints) = Make();
        Fail(detector, endpoints[0], 4);
        detector.Report(endpoints[0], AttemptOutcome.Response(404));
        Fail(detector, endpoints[0], 4);
        Assert.False(endpoints[0].Health.IsEjected);
        detector.Report(endpoints[0], AttemptOutcome.Cancelled); // neutral: neither resets nor counts
        Assert.Equal(4, endpoints[0].Health.ConsecutivePassiveFailures);
        detector.Report(endpoints[0], AttemptOutcome.ConnectFailure);
        Assert.True(endpoints[0].Health.IsEjected);
    }

    [Fact]
    public void Connect_failures_resets_and_timeouts_count_like_5xx()
    {
        var (detector, _, _, endpoints) = Make(config: Config with { ConsecutiveFailures = 3 });
        detector.Report(endpoints[1], AttemptOutcome.ConnectFailure);
        detector.Report(endpoints[1], AttemptOutcome.Reset);
        detector.Report(endpoints[1], AttemptOutcome.Timeout);
        Assert.True(endpoints[1].Health.IsEjected);
    }

    [Fact]
    public void An_ejected_endpoint_returns_after_its_ejection_time_and_is_ejected_again_at_the_first_failure_for_twice_as_long()
    {
        var (detector, time, log, endpoints) = Make();
        var e = endpoints[0];
        Fail(detector, e, 5);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(e.Health.IsEjected);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(e.Health.IsEjected);
        Assert.True(e.Health.InEjectionProbation);
        Assert.Equal(HealthChange.Returned, log.Entries.Last().Change);

        Fail(detector, e, 1); // probation: the first failure is enough
        Assert.True(e.Health.IsEjected);
        Assert.Contains("ejected for 60 s", log.Entries.Last().Cause);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(e.Health.IsEjected);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(e.Health.IsEjected);

        Fail(detector, e, 1);
        Assert.Contains("ejected for 100 s", log.Entries.Last().Cause); // 120 s capped at maxEjectionTime
        Assert.Equal(TimeSpan.FromSeconds(100), e.Health.LastEjectionDuration);
    }

    [Fact]
    public void A_good_answer_after_return_ends_probation_and_a_long_good_spell_resets_the_doubling()
    {
        var (detector, time, log, endpoints) = Make();
        var e = endpoints[0];
        Fail(detector, e, 5);
        time.Advance(TimeSpan.FromSeconds(30));
        detector.Report(e, AttemptOutcome.Response(200));
        Assert.False(e.Health.InEjectionProbation);
        Fail(detector, e, 4);
        Assert.False(e.Health.IsEjected); // off probation: the full count applies again

        time.Advance(TimeSpan.FromSeconds(30)); // stayed in as long as it was out
        Fail(detector, e, 1);
        Assert.True(e.Health.IsEjected);
        Assert.Contains("ejected for 30 s", log.Entries.Last().Cause);
    }

    [Fact]
    public void Ejection_time_doubles_per_repeat_up_to_the_cap()
    {
        var config = Config with { EjectionTime = TimeSpan.FromSeconds(10), MaxEjectionTime = TimeSpan.FromSeconds(75) };
        Assert.Equal(TimeSpan.FromSeconds(10), OutlierDetector.EjectionDuration(config, 1));
        Assert.Equal(TimeSpan.FromSeconds(20), OutlierDetector.EjectionDuration(config, 2));
        Assert.Equal(TimeSpan.FromSeconds(40), OutlierDetector.EjectionDuration(config, 3));
        Assert.Equal(TimeSpan.FromSeconds(75), OutlierDetector.EjectionDuration(config, 4));
        Assert.Equal(TimeSpan.FromSeconds(75), OutlierDetector.EjectionDuration(config, 400));
    }

    [Fact]
    public void MaxEjectionPercent_keeps_at_least_the_configured_share_in_the_pool()
    {
        var (detector, _, _, endpoints) = Make(endpoints: 10, config: Config with { MaxEjectionPercent = 30 });
        foreach (var e in endpoints)
        {
            Fail(detector, e, 5);
        }

        Assert.Equal(3, endpoints.Count(e => e.Health.IsEjected));
        Assert.Equal(7, endpoints.Count(e => e.Health.IsHealthy));
    }

    [Fact]
    public void Passive_health_never_ejects_the_last_endpoint_even_at_100_percent()
    {
        var (detector, _, _, endpoints) = Make(endpoints: 3, config: Config with { MaxEjectionPercent = 100 });
        foreach (var e in endpoints)
        {
            Fail(detector, e, 5);
        }

        Assert.Equal(2, endpoints.Count(e => e.Health.IsEjected));
        var (single, _, _, one) = Make(endpoints: 1, config: Config with { MaxEjectionPercent = 100 });
        Fail(single, one[0], 50);
        Assert.False(one[0].Health.IsEjected);
    }

    [Fact]
    public void An_endpoint_held_in_by_the_cap_is_ejected_once_room_frees_up()
    {
        var (detector, time, _, endpoints) = Make(endpoints: 2, config: Config with { MaxEjectionPercent = 50 });
        Fail(detector, endpoints[0], 5);
        Fail(detector, endpoints[1], 5);
        Assert.True(endpoints[0].Health.IsEjected);
        Assert.False(endpoints[1].Health.IsEjected);
        time.Advance(TimeSpan.FromSeconds(30));
        detector.Report(endpoints[0], AttemptOutcome.Response(200));
        Fail(detector, endpoints[1], 1);
        Assert.True(endpoints[1].Health.IsEjected);
    }

    [Fact]
    public void Disposing_the_detector_returns_the_endpoints_it_ejected()
    {
        var (detector, _, log, endpoints) = Make();
        Fail(detector, endpoints[0], 5);
        detector.Dispose();
        Assert.False(endpoints[0].Health.IsEjected);
        Assert.Contains(log.Entries, t => t.Change == HealthChange.Returned && t.Cause == "passive health reconfigured");
    }

    [Theory]
    [InlineData(0, 30, 50, "consecutiveFailures")]
    [InlineData(5, 0, 50, "ejectionTime")]
    [InlineData(5, 30, 101, "maxEjectionPercent")]
    public void Bad_settings_are_rejected_naming_the_field(int failures, int ejectionSeconds, int percent, string field)
    {
        var config = new PassiveHealthSnapshot { ConsecutiveFailures = failures, EjectionTime = TimeSpan.FromSeconds(ejectionSeconds), MaxEjectionPercent = percent };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OutlierDetector(config, new FakeTimeProvider(), (_, _, _) => { }));
        Assert.Contains("healthCheck.passive." + field, e.Message);
    }
}
