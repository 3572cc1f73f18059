using System.Collections.Frozen;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Prometheus;

namespace Ballast.Ingress.Affinity;

/// <summary>
/// What affinity needs of one pool for one set of available endpoints (one balancer instance): endpoints by id
/// and by cookie tag under each key, the pool's key, the request-key settings and the metric children. Built off
/// the hot path whenever the pool's balancer is replaced (endpoint set or configuration changed), then read-only.
/// A pinned endpoint missing from <see cref="ById"/> is unavailable (gone, draining, unhealthy, ejected).
/// </summary>
public sealed class AffinityView
{
    public AffinityView(PoolSnapshot pool, ILoadBalancer balancer, AffinityKeyRing keys, AffinityMetrics metrics)
    {
        Pool = pool;
        Balancer = balancer;
        UsesKey = LoadBalancerRegistry.UsesKey(pool.LoadBalancing.Algorithm);
        Settings = pool.SessionAffinity ?? new SessionAffinitySnapshot();
        PoolKey = HashKey.Of(pool.Id);
        var endpoints = Balancer.Endpoints;
        ById = endpoints.ToFrozenDictionary(e => e.Id, StringComparer.Ordinal);
        var byTag = new FrozenDictionary<ulong, EndpointState>[keys.Keys.Length];
        for (var k = 0; k < byTag.Length; k++)
        {
            var key = keys.Keys[k];
            byTag[k] = endpoints.ToFrozenDictionary(e => AffinityCookie.EndpointTag(key, pool.Id, e.Id));
        }
        ByTag = byTag;
        SigningTag = endpoints.ToFrozenDictionary(e => e.Id, e => AffinityCookie.EndpointTag(keys.Keys[0], pool.Id, e.Id), StringComparer.Ordinal);
        KeyOptions = Settings.Type == AffinityType.Header
            ? new LoadBalancingSnapshot { HashSource = HashSource.Header, HashName = Settings.HeaderName, HashFallback = HashFallback.Random }
            : new LoadBalancingSnapshot { HashSource = HashSource.ClientIp };
        CookieSuffix = BuildCookieSuffix(Settings);
        Repins = metrics.Repins.WithLabels(pool.Id);
        LocalDecisions = metrics.LocalDecisions.WithLabels(pool.Id);
        LocalHits = metrics.TableLookups.WithLabels(pool.Id, "local_hit");
        SharedHits = metrics.TableLookups.WithLabels(pool.Id, "shared_hit");
        Misses = metrics.TableLookups.WithLabels(pool.Id, "miss");
    }

    /// <summary>The pool's configuration this view was built from.</summary>
    public PoolSnapshot Pool { get; }
    /// <summary>Whether the pool's algorithm hashes a request key (computed per request only then).</summary>
    public bool UsesKey { get; }
    public ILoadBalancer Balancer { get; }
    public SessionAffinitySnapshot Settings { get; }
    public ulong PoolKey { get; }
    public FrozenDictionary<string, EndpointState> ById { get; }
    /// <summary>Per key of the ring (same order): cookie endpoint tag → endpoint.</summary>
    public FrozenDictionary<ulong, EndpointState>[] ByTag { get; }
    /// <summary>Endpoint id → its tag under the signing (newest) key.</summary>
    public FrozenDictionary<string, ulong> SigningTag { get; }
    /// <summary>How the affinity key of a request is read (header or client IP), in the balancers' terms.</summary>
    public LoadBalancingSnapshot KeyOptions { get; }
    /// <summary>The attributes after the value: <c>; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax</c>.</summary>
    public string CookieSuffix { get; }
    public Counter.Child Repins { get; }
    public Counter.Child LocalDecisions { get; }
    public Counter.Child LocalHits { get; }
    public Counter.Child SharedHits { get; }
    public Counter.Child Misses { get; }

    /// <summary>The balancer's pick for a request key (hashing algorithms map it; others ignore it).</summary>
    public EndpointState? PickNew(in PickContext context) => Balancer.Pick(context);

    private static string BuildCookieSuffix(SessionAffinitySnapshot s)
    {
        var b = new System.Text.StringBuilder();
        b.Append("; Path=").Append(s.Path);
        b.Append("; Max-Age=").Append((long)s.Ttl.TotalSeconds);
        if (s.Domain is { } domain) b.Append("; Domain=").Append(domain);
        if (s.Secure) b.Append("; Secure");
        if (s.HttpOnly) b.Append("; HttpOnly");
        b.Append("; SameSite=").Append(s.SameSite switch { Model.Resources.SameSiteMode.Strict => "Strict", Model.Resources.SameSiteMode.None => "None", _ => "Lax" });
        return b.ToString();
    }
}
