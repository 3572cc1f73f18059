using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using static Ballast.Model.Tests.Compilation.Yaml;

namespace Ballast.Model.Tests.Compilation.Rules;

[Trait("Category", "Integration")]
public class PoolRulesTests
{
    private static readonly ResourceKey Key = new(BackendPool.KindName, "default", "p");

    [Theory]
    [InlineData("endpoints: [ { address: \"10.0.0.1\" } ]", "spec.endpoints[0].address: expected host:port")]
    [InlineData("endpoints: [ { address: \"10.0.0.1:0\" } ]", "spec.endpoints[0].address: port must be between 1 and 65535")]
    [InlineData("endpoints: [ { address: \"10.0.0.1:70000\" } ]", "spec.endpoints[0].address: port must be between 1 and 65535")]
    [InlineData("endpoints: [ { address: \"::1:80\" } ]", "spec.endpoints[0].address: an IPv6 address needs brackets")]
    [InlineData("endpoints: [ { address: \"bad_host!:80\" } ]", "spec.endpoints[0].address: \"bad_host!\" is not a valid host name")]
    [InlineData("endpoints: [ { address: \"a:80\" }, { address: \"b:80\", weight: 1001 } ]", "spec.endpoints[1].weight: must be between 1 and 1000, got 1001")]
    [InlineData("endpoints: [ { address: \"a:80\", weight: 0 } ]", "spec.endpoints[0].weight: must be between 1 and 1000, got 0")]
    [InlineData("endpoints: [ { address: \"a:80\" }, { address: \"A:80\" } ]", "spec.endpoints[1].address: a:80 is already listed at spec.endpoints[0]")]
    [InlineData("protocol: HTTP1", "spec: one of endpoints, service or targetRefs is required")]
    public void Endpoint_rules_name_the_field(string endpoints, string expected) =>
        HasError(Compile(Pool("p", endpoints: endpoints)), expected);

    [Theory]
    [InlineData("loadBalancing: { virtualNodes: 0 }", "spec.loadBalancing.virtualNodes: must be between 1 and 10000, got 0")]
    [InlineData("loadBalancing: { virtualNodes: 10001 }", "spec.loadBalancing.virtualNodes: must be between 1 and 10000")]
    [InlineData("loadBalancing: { tableSize: 65536 }", "spec.loadBalancing.tableSize: must be a prime between 7 and 1000003")]
    [InlineData("loadBalancing: { tableSize: 5 }", "spec.loadBalancing.tableSize: must be a prime")]
    [InlineData("loadBalancing: { tableSize: 1000033 }", "spec.loadBalancing.tableSize: must be a prime")]
    [InlineData("loadBalancing: { boundedLoadFactor: 0 }", "spec.loadBalancing.boundedLoadFactor: must be greater than 0")]
    [InlineData("loadBalancing: { hashOn: { header: X-User, cookie: id } }", "spec.loadBalancing.hashOn: exactly one of clientIp, header, cookie, query, path is required, got 2")]
    [InlineData("loadBalancing: { hashOn: { fallback: Random } }", "spec.loadBalancing.hashOn: exactly one of clientIp, header, cookie, query, path is required, got 0")]
    [InlineData("healthCheck: { active: { unhealthyThreshold: 0 } }", "spec.healthCheck.active.unhealthyThreshold: must be between 1 and 100, got 0")]
    [InlineData("healthCheck: { active: { healthyThreshold: 101 } }", "spec.healthCheck.active.healthyThreshold: must be between 1 and 100")]
    [InlineData("healthCheck: { active: { interval: 50ms, timeout: 10ms } }", "spec.healthCheck.active.interval: must be at least 100ms, got 50ms")]
    [InlineData("healthCheck: { active: { interval: 1s, timeout: 1s } }", "spec.healthCheck.active.timeout: must be shorter than the interval (1s), got 1s")]
    [InlineData("healthCheck: { active: { timeout: 0s } }", "spec.healthCheck.active.timeout: must be longer than 0")]
    [InlineData("healthCheck: { active: { jitterPercent: 101 } }", "spec.healthCheck.active.jitterPercent: must be between 0 and 100")]
    [InlineData("healthCheck: { active: { http: { path: health } } }", "spec.healthCheck.active.http.path: must start with \"/\"")]
    [InlineData("healthCheck: { active: { http: { expectStatus: [\"200\", \"299-200\"] } } }", "spec.healthCheck.active.http.expectStatus[1]: expected a status code or range within 100..599")]
    [InlineData("healthCheck: { active: { http: { expectStatus: [\"600\"] } } }", "spec.healthCheck.active.http.expectStatus[0]: expected a status code")]
    [InlineData("healthCheck: { active: { http: {}, tcp: {} } }", "spec.healthCheck.active: at most one of http, tcp, grpc")]
    [InlineData("healthCheck: { passive: { consecutiveFailures: 0 } }", "spec.healthCheck.passive.consecutiveFailures: must be between 1 and 100")]
    [InlineData("healthCheck: { passive: { maxEjectionPercent: 101 } }", "spec.healthCheck.passive.maxEjectionPercent: must be between 0 and 100")]
    [InlineData("healthCheck: { passive: { ejectionTime: 0s } }", "spec.healthCheck.passive.ejectionTime: must be longer than 0")]
    [InlineData("panicThreshold: 101", "spec.panicThreshold: must be between 0 and 100, got 101")]
    [InlineData("drainTimeout: 0s", "spec.drainTimeout: must be longer than 0")]
    [InlineData("slowStart: 0ms", "spec.slowStart: must be longer than 0")]
    [InlineData("sessionAffinity: { type: Cookie, cookieName: \"a b\" }", "spec.sessionAffinity.cookieName: \"a b\" is not a valid cookie name")]
    [InlineData("sessionAffinity: { type: Header }", "spec.sessionAffinity.headerName: required when type is Header")]
    [InlineData("sessionAffinity: { type: Cookie, ttl: 0s }", "spec.sessionAffinity.ttl: must be longer than 0")]
    [InlineData("circuitBreaker: { maxConnections: 0 }", "spec.circuitBreaker.maxConnections: must be between 1")]
    [InlineData("protocol: UDP\nproxyProtocol: V1", "spec.proxyProtocol: V1 has no UDP form")]
    public void Pool_rules_name_the_field(string spec, string expected)
    {
        var r = Compile(Pool("p", spec));
        HasError(r, expected);
        Assert.Empty(r.Snapshot.Pools); // an invalid pool is left out
        var accepted = r.Statuses[Key].Conditions.Single(c => c.Type == ConditionTypes.Accepted);
        Assert.Equal((ConditionStatus.False, "Invalid"), (accepted.Status, accepted.Reason));
        Assert.Contains(expected, accepted.Message);
    }

    [Fact]
    public void Defaults_are_the_snapshot_defaults()
    {
        var pool = Assert.Single(Compile(Pool("p", "healthCheck: { active: {}, passive: {} }\nsessionAffinity: { type: Cookie }")).Snapshot.Pools);
        var d = new PoolSnapshot();
        Assert.Equal((d.PanicThresholdPercent, d.DrainTimeout, d.ConnectTimeout, d.LoadBalancing), (pool.PanicThresholdPercent, pool.DrainTimeout, pool.ConnectTimeout, pool.LoadBalancing));
        Assert.Equal(new ActiveHealthSnapshot().Interval, pool.ActiveHealth!.Interval);
        Assert.Equal(new ActiveHealthSnapshot().ExpectStatus.ToArray(), pool.ActiveHealth.ExpectStatus.ToArray());
        Assert.Equal(new PassiveHealthSnapshot(), pool.PassiveHealth);
        Assert.Equal(new SessionAffinitySnapshot { Type = AffinityType.Cookie }, pool.SessionAffinity);
    }

    [Fact]
    public void Ipv6_endpoints_and_hash_settings_compile()
    {
        var pool = Assert.Single(Compile(Pool("p", "loadBalancing: { algorithm: Maglev, tableSize: 7, hashOn: { header: X-User } }",
            endpoints: "endpoints: [ { address: \"[::1]:8080\", weight: 5, backup: true } ]")).Snapshot.Pools);
        var e = Assert.Single(pool.Endpoints);
        Assert.Equal(("::1", 8080, 5, true, "[::1]:8080"), (e.Host, e.Port, e.Weight, e.Backup, e.Id));
        Assert.Equal((HashSource.Header, "X-User", 7), (pool.LoadBalancing.HashSource, pool.LoadBalancing.HashName, pool.LoadBalancing.TableSize));
    }

    private static CompilerInput WithService(params ResolvedEndpoint[] endpoints) => new()
    {
        Services = new Dictionary<string, ResolvedService>
        {
            ["default/orders"] = new("default", "orders", [new ResolvedServicePort("http", 8080, [.. endpoints])]),
        },
    };

    [Fact]
    public void A_pool_without_passive_health_ejects_endpoints_that_refuse_connections()
    {
        var pool = Assert.Single(Compile(Pool("p")).Snapshot.Pools);
        Assert.Equal(new PassiveHealthSnapshot { ConsecutiveFailures = 1, EjectionTime = TimeSpan.FromSeconds(10), ConnectFailuresOnly = true }, pool.PassiveHealth);
        // Written out, the user's settings count every backend failure.
        Assert.False(Assert.Single(Compile(Pool("p", "healthCheck: { passive: {} }")).Snapshot.Pools).PassiveHealth!.ConnectFailuresOnly);
    }

    [Fact]
    public void Static_endpoints_marked_draining_are_terminating_endpoints()
    {
        var r = Compile(Pool("p", endpoints: "endpoints: [ { address: \"10.0.0.1:80\", draining: true }, { address: \"10.0.0.2:80\" } ]"));
        Assert.Empty(r.Diagnostics);
        var pool = Assert.Single(r.Snapshot.Pools);
        Assert.Equal([("10.0.0.1", true), ("10.0.0.2", false)], pool.Endpoints.Select(e => (e.Host, e.Draining)));
        var counts = r.Statuses[Key].Endpoints!;
        Assert.Equal((2, 1, 1), (counts.Total, counts.Ready, counts.Draining));
    }

    [Fact]
    public void Service_endpoints_follow_EndpointSlice_conditions()
    {
        var input = WithService(
            new ResolvedEndpoint("10.0.0.2", 80, Ready: true, Serving: true, Terminating: false),
            new ResolvedEndpoint("10.0.0.1", 80, Ready: false, Serving: true, Terminating: true),
            new ResolvedEndpoint("10.0.0.3", 80, Ready: false, Serving: false, Terminating: false));
        var r = Compile(Pool("p", endpoints: "service: { name: orders, portName: http }"), input);
        Assert.Empty(r.Diagnostics);
        var pool = Assert.Single(r.Snapshot.Pools);
        Assert.Equal([("10.0.0.1", true), ("10.0.0.2", false)], pool.Endpoints.Select(e => (e.Host, e.Draining)));
        var counts = r.Statuses[Key].Endpoints!;
        Assert.Equal((3, 1, 1), (counts.Total, counts.Ready, counts.Draining));
    }

    [Fact]
    public void A_missing_service_or_port_sets_ResolvedRefs_false()
    {
        var r = Compile(Pool("p", endpoints: "service: { name: nope, port: 80 }"), WithService());
        HasError(r, "spec.service.name: Service \"nope\" not found in namespace \"default\"");
        var resolved = r.Statuses[Key].Conditions.Single(c => c.Type == ConditionTypes.ResolvedRefs);
        Assert.Equal((ConditionStatus.False, "ServiceNotFound"), (resolved.Status, resolved.Reason));

        r = Compile(Pool("p", endpoints: "service: { name: orders, port: 81 }"), WithService());
        HasError(r, "spec.service.port: Service \"default/orders\" has no port 81; it has: 8080 (http)");
    }

    [Fact]
    public void A_missing_tls_secret_keeps_the_pool_out_of_the_snapshot()
    {
        var r = Compile(Pool("p", "tls: { caSecretRef: internal-ca }"));
        HasError(r, "spec.tls.caSecretRef: Secret \"default/internal-ca\" not found");
        Assert.Empty(r.Snapshot.Pools);
        Assert.Equal("SecretNotFound", r.Statuses[Key].Conditions.Single(c => c.Type == ConditionTypes.ResolvedRefs).Reason);
    }
}

[Trait("Category", "Integration")]
public class ClusterObjectsUnknownTests
{
    [Fact]
    public void Without_a_cluster_missing_services_and_secrets_are_warnings()
    {
        var r = Compile(Pool("p", "tls: { caSecretRef: ca }", endpoints: "service: { name: orders, port: 80 }")
            + Policy("q", "listeners: [ { name: web, port: 80 } ]\nroutes: [ { backends: [ { pool: p } ] } ]"),
            new CompilerInput { ClusterObjectsUnknown = true });
        Assert.False(r.HasErrors, Messages(r));
        Assert.Equal(2, r.Diagnostics.Count(d => d.Severity == Severity.Warning));
        Assert.Single(r.Snapshot.Listeners.Single().Routes);
    }
}
