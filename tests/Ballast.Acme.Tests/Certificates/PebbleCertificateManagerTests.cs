using Ballast.Acme.Certificates;
using Ballast.Acme.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Ballast.Acme.Tests.Certificates;

/// <summary>The manager's schedule (obtain, back-off, retry, renewal) against a real Pebble, on a fake clock.</summary>
[Collection(SharedPebble.Name)]
[Trait("Category", "Integration")]
public sealed class PebbleCertificateManagerTests(PebbleEnvironment pebble, ITestOutputHelper output)
{
    [Fact]
    public async Task A_challenge_pebble_cannot_reach_leaves_the_certificate_not_ready_with_pebbles_error_and_a_later_retry_succeeds()
    {
        await using var acme = await AcmeHarness.CreateAsync(pebble);
        await pebble.StopChallengeServerAsync(); // the ingress is unreachable
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var manager = new CertificateManager("web-tls", [acme.Hostname], acme.Issuer, new InMemoryCertificateStore(), clock, new Random(8));

        var failed = await manager.TickAsync(CancellationToken.None);
        output.WriteLine(failed.Message);

        Assert.False(failed.Ready);
        Assert.Null(failed.NotAfter);
        Assert.Equal(1, failed.ConsecutiveFailures);
        // Pebble's VA verdict, passed through: the problem type and its detail about the refused connection.
        Assert.Contains("urn:ietf:params:acme:error:connection", failed.Message);
        Assert.Contains(acme.Hostname, failed.Message);
        Assert.Contains("connection refused", failed.Message, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(failed.NextAttemptAt);
        Assert.InRange(failed.NextAttemptAt!.Value - clock.GetUtcNow(), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));

        await pebble.StartChallengeServerAsync();
        clock.Advance(TimeSpan.FromSeconds(29));
        var waiting = await manager.TickAsync(CancellationToken.None); // still backing off: no new order
        Assert.Equal(1, waiting.ConsecutiveFailures);
        Assert.Empty(acme.TokensServed);

        clock.SetUtcNow(failed.NextAttemptAt.Value);
        var ready = await manager.TickAsync(CancellationToken.None);

        Assert.True(ready.Ready, ready.Message);
        Assert.Equal(0, ready.ConsecutiveFailures);
        Assert.NotNull(ready.NotAfter);
        Assert.NotEmpty(acme.TokensServed);
    }

    [Fact]
    public async Task Renews_after_two_thirds_of_the_lifetime_and_the_listener_then_serves_the_new_certificate()
    {
        await using var acme = await AcmeHarness.CreateAsync(pebble);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var manager = new CertificateManager("web-tls", [acme.Hostname], acme.Issuer, new InMemoryCertificateStore(), clock, new Random(8));
        using var root = await acme.Pebble.GetRootAsync();

        var first = await manager.TickAsync(CancellationToken.None);
        Assert.True(first.Ready, first.Message);
        await using var listener = await TlsListener.StartAsync(manager);
        using (var served = await listener.ProbeAsync(acme.Hostname, root)) Assert.Equal(first.SerialNumber, served.SerialNumber);

        var original = manager.Current!;
        var renewAt = original.NotBefore + (original.NotAfter - original.NotBefore) * 2 / 3;
        Assert.Equal(renewAt, first.RenewAt!.Value, TimeSpan.FromSeconds(1));

        clock.SetUtcNow(renewAt - TimeSpan.FromMinutes(1));
        var early = await manager.TickAsync(CancellationToken.None);
        Assert.Equal(first.SerialNumber, early.SerialNumber);

        clock.SetUtcNow(renewAt + TimeSpan.FromSeconds(1));
        var renewed = await manager.TickAsync(CancellationToken.None);

        Assert.True(renewed.Ready, renewed.Message);
        Assert.NotEqual(first.SerialNumber, renewed.SerialNumber);
        Assert.True(clock.GetUtcNow() < original.NotAfter, "renewal must happen before the old certificate expires");
        using (var served = await listener.ProbeAsync(acme.Hostname, root)) Assert.Equal(renewed.SerialNumber, served.SerialNumber);
    }

    [Fact]
    public async Task A_certificate_kept_in_the_store_is_reused_after_a_restart_without_a_new_order()
    {
        await using var acme = await AcmeHarness.CreateAsync(pebble);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var directory = Directory.CreateTempSubdirectory("ballast-certs-").FullName;
        try
        {
            var store = new FileCertificateStore(directory);
            var first = new CertificateManager("web-tls", [acme.Hostname], acme.Issuer, store, clock, new Random(1));
            var issued = await first.TickAsync(CancellationToken.None);
            var ordersBefore = acme.TokensServed.Count;

            var restarted = new CertificateManager("web-tls", [acme.Hostname], acme.Issuer, new FileCertificateStore(directory), clock, new Random(1));
            var status = await restarted.TickAsync(CancellationToken.None);

            Assert.True(status.Ready, status.Message);
            Assert.Equal(issued.SerialNumber, status.SerialNumber);
            Assert.Equal(ordersBefore, acme.TokensServed.Count);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
