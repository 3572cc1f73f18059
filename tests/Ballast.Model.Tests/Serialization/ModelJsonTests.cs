using System.Collections.Immutable;
using System.Text.Json;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Serialization;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Tests.Serialization;

public class ModelJsonTests
{
    /// <summary>A snapshot with every optional part filled, so the round trip covers every type.</summary>
    private static Snapshot Full() => new()
    {
        Version = 42,
        ContentHash = "abc",
        Generations = ImmutableDictionary<string, long>.Empty.Add("BackendPool shop/a", 3).Add("LoadBalancerPolicy shop/p", 1),
        Listeners =
        [
            new ListenerSnapshot
            {
                Name = "https", Address = "::", Port = 443, Kind = ListenerKind.Https, AcceptProxyProtocol = true, MaxConnections = 10,
                Routes =
                [
                    new RouteSnapshot
                    {
                        Id = "shop/p/r",
                        Match = new MatchSnapshot
                        {
                            Hosts = ["*.example.com"], PathKind = PathMatchKind.Regex, Path = "^/a.*$", Methods = ["GET"],
                            Headers = [new ValueMatchSnapshot("X-A", ValueMatchKind.Exact, "1")],
                            Query = [new ValueMatchSnapshot("q", ValueMatchKind.Present, "")],
                        },
                        Backends = [new BackendSnapshot("shop/a", 90), new BackendSnapshot("shop/b", 10)],
                        Canary = new CanarySnapshot { PoolId = "shop/b", CookieName = "c", CookieValue = "v" },
                        Timeout = TimeSpan.FromSeconds(30),
                        Retries = new RetrySnapshot { Attempts = 2, On = RetryOn.Reset | RetryOn.Status503, PerTryTimeout = TimeSpan.FromMilliseconds(1500) },
                        RequestHeaders = new HeaderRulesSnapshot { Set = [KeyValuePair.Create("X-Env", "prod")], Remove = ["X-Internal"] },
                    },
                ],
                L4Routes = [new L4RouteSnapshot { Id = "shop/p/tcpRoutes[0]", Hostnames = ["db.example.com"], Backends = [new BackendSnapshot("shop/db", 1)] }],
            },
        ],
        Pools =
        [
            new PoolSnapshot
            {
                Id = "shop/a", Protocol = PoolProtocol.GRPC,
                LoadBalancing = new LoadBalancingSnapshot { Algorithm = LoadBalancingAlgorithm.Maglev, HashSource = HashSource.Header, HashName = "X-User", TableSize = 7 },
                Endpoints = [new EndpointSnapshot { Host = "::1", Port = 80, Weight = 3, Backup = true, Draining = true }],
                ActiveHealth = new ActiveHealthSnapshot { Kind = ActiveCheckKind.Grpc, GrpcService = "svc", ExpectStatus = [new(200, 299)], Port = 9000 },
                PassiveHealth = new PassiveHealthSnapshot { ConsecutiveFailures = 2 },
                SlowStart = TimeSpan.FromSeconds(10),
                SessionAffinity = new SessionAffinitySnapshot { Type = AffinityType.Cookie, SameSite = SameSiteMode.Strict, Domain = "example.com" },
                Tls = new BackendTlsSnapshot { CaPem = "-----BEGIN CERTIFICATE-----\n", ServerName = "a.internal" },
                CircuitBreaker = new CircuitBreakerSnapshot { MaxConnections = 5 },
                ProxyProtocol = ProxyProtocolVersion.V2,
            },
        ],
    };

    [Fact]
    public void A_snapshot_round_trips_exactly()
    {
        var original = Full();
        var json = JsonSerializer.Serialize(original, ModelJson.Options);
        var back = JsonSerializer.Deserialize<Snapshot>(json, ModelJson.Options)!;
        // Records with ImmutableArray members compare arrays by reference, so compare the canonical JSON.
        Assert.Equal(ModelJson.Canonical(original), ModelJson.Canonical(back));
        Assert.Equal(json, JsonSerializer.Serialize(back, ModelJson.Options));
        Assert.Equal(original.Pools[0].Endpoints[0], back.Pools[0].Endpoints[0]);
        Assert.Equal(RetryOn.Reset | RetryOn.Status503, back.Listeners[0].Routes[0].Retries!.On);
        Assert.Equal(3, back.Generations["BackendPool shop/a"]);
    }

    [Fact]
    public void Writes_camelCase_enum_names_and_leaves_nulls_out()
    {
        var json = JsonSerializer.Serialize(Full(), ModelJson.Options);
        Assert.Contains("\"contentHash\":\"abc\"", json);
        Assert.Contains("\"kind\":\"Https\"", json);
        Assert.Contains("\"algorithm\":\"Maglev\"", json);
        Assert.DoesNotContain("null", json);
    }

    [Fact]
    public void Rejects_an_unknown_field_on_read_but_skips_unknown_metadata()
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Snapshot>("""{"version":1,"bogus":2}""", ModelJson.Options));
        Assert.Contains("bogus", e.Message);
        var pool = JsonSerializer.Deserialize<BackendPool>("""{"apiVersion":"ballast.dev/v1alpha1","kind":"BackendPool","metadata":{"name":"a","managedFields":[]},"spec":{"drainTimeout":"5s"}}""", ModelJson.Options)!;
        Assert.Equal(TimeSpan.FromSeconds(5), pool.Spec.DrainTimeout!.Value.Value);
    }

    [Fact]
    public void The_content_hash_ignores_version_and_dictionary_order()
    {
        var a = Full();
        var b = a with
        {
            Version = 99,
            Generations = ImmutableDictionary<string, long>.Empty.Add("LoadBalancerPolicy shop/p", 1).Add("BackendPool shop/a", 3),
        };
        Assert.Equal(SnapshotHash.Compute(a), SnapshotHash.Compute(b));
        Assert.NotEqual(SnapshotHash.Compute(a), SnapshotHash.Compute(a with { Pools = [] }));
    }
}
