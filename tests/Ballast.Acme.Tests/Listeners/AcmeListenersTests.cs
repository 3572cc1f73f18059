using Ballast.Acme.Certificates;
using Ballast.Acme.Listeners;
using Ballast.Model.Resources;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Acme.Tests.Listeners;

[Trait("Category", "Integration")]
public sealed class AcmeListenersTests
{
    [Fact]
    public void Only_https_listeners_with_tls_acme_are_picked_with_their_key_and_sorted_lowercase_hostnames()
    {
        var listeners = AcmeListeners.From([Policy("shop", Https("web", "https://ca.test/dir", "WWW.Shop.test", "shop.test"), new ListenerSpec { Name = "plain", Port = 80 })]);

        var only = Assert.Single(listeners);
        Assert.Equal("default/shop/web", only.Key);
        Assert.Equal(["shop.test", "www.shop.test"], only.Hostnames);
        Assert.Null(only.Problem);
    }

    [Theory]
    [InlineData("https://ca.test/dir", new string[0], "spec.listeners[0].hostnames: an ACME certificate needs at least one hostname")]
    [InlineData("https://ca.test/dir", new[] { "*.shop.test" }, "spec.listeners[0].hostnames: \"*.shop.test\" is a wildcard")]
    [InlineData("ftp://ca.test/dir", new[] { "shop.test" }, "spec.listeners[0].tls.acme.directory: expected an absolute http(s) URL")]
    public void A_listener_no_certificate_can_be_ordered_for_carries_a_problem_naming_the_field(string directory, string[] hostnames, string problem)
    {
        var only = Assert.Single(AcmeListeners.From([Policy("shop", Https("web", directory, hostnames))]));
        Assert.StartsWith(problem, only.Problem);
    }

    [Fact]
    public async Task Reconcile_starts_a_manager_per_listener_and_stops_the_managers_of_removed_listeners()
    {
        using var metrics = new CertificateExpiryMetrics();
        using var http = new HttpClient();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var supervisor = new CertificateSupervisor(new CertificateSupervisorOptions
        {
            Http = http,
            // Nothing listens on port 1: an attempt fails at once and is retried only after the back-off.
            AccountKeys = (_, _) => Task.FromResult(Ballast.Acme.Jose.AcmeAccountKey.Generate()),
            Store = new InMemoryCertificateStore(),
            StoreName = l => l.Key.Replace('/', '_'),
            ManagerTime = clock,
            Seed = 1,
        }, metrics);
        var a = Policy("a", Https("web", "http://127.0.0.1:1/dir", "a.test"));
        var b = Policy("b", Https("web", "http://127.0.0.1:1/dir", "b.test"), Https("bad", "http://127.0.0.1:1/dir"));

        supervisor.Reconcile(AcmeListeners.From([a, b]));
        Assert.Equal(["default/a/web", "default/b/bad", "default/b/web"], supervisor.Statuses.Select(s => s.Key));
        var failed = await WaitAsync(() => supervisor.Statuses.Single(s => s.Key == "default/a/web").Certificate is { ConsecutiveFailures: > 0 } c ? c : null);
        Assert.False(failed.Ready);
        Assert.Contains("an ACME certificate needs at least one hostname", supervisor.Statuses.Single(s => s.Key == "default/b/bad").Certificate.Message);

        supervisor.Reconcile(AcmeListeners.From([b]));
        Assert.Equal(["default/b/bad", "default/b/web"], supervisor.Statuses.Select(s => s.Key));
        Assert.Empty(supervisor.Certificates);
    }

    private static async Task<T> WaitAsync<T>(Func<T?> probe) where T : class =>
        (await Eventually.GetAsync(probe, v => v is not null, typeof(T).Name))!;

    private static ListenerSpec Https(string name, string directory, params string[] hostnames) => new()
    {
        Name = name,
        Port = 443,
        Protocol = ListenerProtocol.HTTPS,
        Hostnames = [.. hostnames],
        Tls = new ListenerTlsSpec { Acme = new AcmeSpec { Directory = directory, Email = "ops@shop.test" } },
    };

    private static LoadBalancerPolicy Policy(string name, params ListenerSpec[] listeners) => new()
    {
        Metadata = new ResourceMetadata { Name = name },
        Spec = new LoadBalancerPolicySpec { Listeners = [.. listeners] },
    };
}
