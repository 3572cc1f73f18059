using System.Diagnostics.Metrics;
using Ballast.Acme.Certificates;
using Ballast.Acme.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Acme.Tests.Certificates;

/// <summary>The manager's decisions on a fake clock, with a local CA as issuer (Pebble tests cover ACME itself).</summary>
[Trait("Category", "Integration")]
public sealed class CertificateManagerScheduleTests
{
    private static readonly string[] Hosts = ["shop.example.test"];
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_stored_certificate_for_the_hostnames_is_served_without_issuing()
    {
        using var ca = new LocalCaIssuer(_clock, TimeSpan.FromDays(90));
        var store = new InMemoryCertificateStore();
        var stored = ca.Issue(Hosts, _clock.GetUtcNow().AddDays(-10), TimeSpan.FromDays(90));
        await store.SaveAsync("web", stored, CancellationToken.None);
        using var manager = new CertificateManager("web", Hosts, ca, store, _clock, new Random(1));

        var status = await manager.TickAsync(CancellationToken.None);

        Assert.True(status.Ready);
        Assert.Equal(stored.SerialNumber, status.SerialNumber);
        Assert.Equal(0, ca.Calls);
        Assert.Equal(stored.NotBefore.AddDays(60), manager.NextDueAt);
    }

    [Fact]
    public async Task A_stored_certificate_for_other_hostnames_is_replaced()
    {
        using var ca = new LocalCaIssuer(_clock, TimeSpan.FromDays(90));
        var store = new InMemoryCertificateStore();
        await store.SaveAsync("web", ca.Issue(["old.example.test"], _clock.GetUtcNow(), TimeSpan.FromDays(90)), CancellationToken.None);
        using var manager = new CertificateManager("web", Hosts, ca, store, _clock, new Random(1));

        var status = await manager.TickAsync(CancellationToken.None);

        Assert.Equal(1, ca.Calls);
        Assert.True(manager.Current!.Covers(Hosts));
        Assert.Equal(status.SerialNumber, (await store.LoadAsync("web", CancellationToken.None))!.SerialNumber);
    }

    [Fact]
    public async Task A_failed_renewal_keeps_the_current_certificate_ready_and_backs_off_exponentially()
    {
        using var ca = new LocalCaIssuer(_clock, TimeSpan.FromDays(90));
        using var manager = new CertificateManager("web", Hosts, ca, new InMemoryCertificateStore(), _clock,
            new Random(3), new RenewalPolicy { InitialBackoff = TimeSpan.FromMinutes(10), MaxBackoff = TimeSpan.FromHours(4) });
        var first = await manager.TickAsync(CancellationToken.None);
        ca.FailWith = "CA says no";

        _clock.SetUtcNow(first.RenewAt!.Value);
        var failedOnce = await manager.TickAsync(CancellationToken.None);
        _clock.SetUtcNow(failedOnce.NextAttemptAt!.Value);
        var failedTwice = await manager.TickAsync(CancellationToken.None);

        Assert.True(failedTwice.Ready);
        Assert.Equal(first.SerialNumber, failedTwice.SerialNumber);
        Assert.Contains("Renewing the certificate failed", failedTwice.Message);
        Assert.Contains("CA says no", failedTwice.Message);
        Assert.Equal(2, failedTwice.ConsecutiveFailures);
        Assert.InRange(failedOnce.NextAttemptAt!.Value - first.RenewAt.Value, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10));
        Assert.InRange(failedTwice.NextAttemptAt!.Value - failedOnce.NextAttemptAt.Value, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(20));
        Assert.Equal(3, ca.Calls);
    }

    [Fact]
    public async Task An_expired_certificate_that_could_not_be_renewed_is_not_ready()
    {
        using var ca = new LocalCaIssuer(_clock, TimeSpan.FromDays(90));
        using var manager = new CertificateManager("web", Hosts, ca, new InMemoryCertificateStore(), _clock, new Random(3));
        var first = await manager.TickAsync(CancellationToken.None);
        ca.FailWith = "CA unreachable";

        _clock.SetUtcNow(first.NotAfter!.Value.AddMinutes(1));
        var status = await manager.TickAsync(CancellationToken.None);

        Assert.False(status.Ready);
        Assert.Contains("expired", status.Message);
        Assert.Contains("CA unreachable", status.Message);
    }

    [Fact]
    public async Task The_run_loop_renews_when_the_clock_reaches_the_renewal_time()
    {
        using var ca = new LocalCaIssuer(_clock, TimeSpan.FromHours(3));
        using var manager = new CertificateManager("web", Hosts, ca, new InMemoryCertificateStore(), _clock, new Random(3));
        var changed = 0;
        manager.CertificateChanged += _ => Interlocked.Increment(ref changed);
        using var stop = new CancellationTokenSource();
        var loop = manager.RunAsync(stop.Token);
        await Eventually.True(() => Volatile.Read(ref changed) == 1, "CertificateChanged raised 1 time(s)");

        _clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1)); // lifetime 3h → renewal due at 2h

        await Eventually.True(() => Volatile.Read(ref changed) == 2, "CertificateChanged raised 2 time(s)");
        Assert.Equal(2, ca.Calls);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
    }

    [Fact]
    public async Task Expiry_metric_reports_each_certificates_not_after()
    {
        using var ca = new LocalCaIssuer(_clock, TimeSpan.FromDays(90));
        using var manager = new CertificateManager("web-" + Guid.NewGuid().ToString("N"), Hosts, ca, new InMemoryCertificateStore(), _clock, new Random(1));
        var status = await manager.TickAsync(CancellationToken.None);
        using var metrics = new CertificateExpiryMetrics();
        metrics.Track(manager);
        var seen = new List<(double Value, string? Certificate)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CertificateExpiryMetrics.MeterName && instrument.Name == CertificateExpiryMetrics.InstrumentName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "certificate") seen.Add((value, tag.Value as string));
        });
        listener.Start();

        listener.RecordObservableInstruments();

        Assert.Contains((status.NotAfter!.Value.ToUnixTimeSeconds(), manager.Name), seen.Select(s => (s.Value, s.Certificate)));
    }
}
