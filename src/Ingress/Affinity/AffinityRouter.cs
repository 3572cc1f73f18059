using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Microsoft.Net.Http.Headers;

namespace Ballast.Ingress.Affinity;

/// <summary>
/// Chooses the endpoint of a request to a pool with <c>sessionAffinity</c> (the proxy calls it instead of the
/// balancer). Cookie: a signed cookie names the endpoint; stateless, any replica with the same keys honours it.
/// Header / ClientIp: the affinity table, local first (no I/O on a hit), then Redis when configured. Whichever
/// mode: a pin whose endpoint is not in the pool's current available set (gone, draining, unhealthy, ejected)
/// moves to the balancer's new pick, the cookie or table moves with it, and <c>ballast_affinity_repins_total</c>
/// counts it. A cookie that fails verification is treated as no cookie.
/// </summary>
public sealed class AffinityRouter
{
    private readonly ConditionalWeakTable<ILoadBalancer, AffinityView> _views = new();
    private readonly AffinityKeyRing _keys;
    private readonly AffinityMetrics _metrics;
    private readonly AffinityTable _table;
    private readonly SharedAffinityStore? _shared;
    private readonly TimeProvider _time;
    // Cookie values this replica has verified (per pool): a repeat visit costs a hash and a lookup, not an HMAC.
    private readonly ConcurrentDictionary<ulong, VerifiedCookie> _verified = new();
    private int _verifiedCount;

    /// <summary>Most verified cookie values remembered; past it the memory is cleared (and refilled on use).</summary>
    public const int MaxVerifiedCookies = 100_000;

    private sealed record VerifiedCookie(string Value, ulong Tag, int KeyIndex, long Expires);

    public AffinityRouter(AffinityKeyRing keys, AffinityMetrics metrics, AffinityTable table, SharedAffinityStore? shared, TimeProvider time)
    {
        _keys = keys;
        _metrics = metrics;
        _table = table;
        _shared = shared;
        _time = time;
    }

    public AffinityTable Table => _table;

    /// <summary>The shared (Redis) side of the table; null in single-replica mode. L4 flow pins use it too.</summary>
    public SharedAffinityStore? Shared => _shared;

    /// <summary>The endpoint for this request among <paramref name="balancer"/>'s (the pool's current one).</summary>
    public ValueTask<EndpointState?> ChooseAsync(HttpContext context, PoolSnapshot pool, ILoadBalancer balancer)
    {
        var view = View(pool, balancer);
        return view.Settings.Type == AffinityType.Cookie
            ? new ValueTask<EndpointState?>(ChooseByCookie(context, view))
            : ChooseByTable(context, view);
    }

    /// <summary>The view of the pool's current balancer: one per balancer instance, which the pool replaces
    /// whenever its endpoint set or its configuration changes (so a view never outlives either).</summary>
    public AffinityView View(PoolSnapshot pool, ILoadBalancer balancer)
    {
        if (_views.TryGetValue(balancer, out var view)) return view;
        view = new AffinityView(pool, balancer, _keys, _metrics);
        _views.AddOrUpdate(balancer, view);
        return view;
    }

    private EndpointState? ChooseByCookie(HttpContext context, AffinityView view)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var value = AffinityCookie.Find(context.Request.Headers.Cookie, view.Settings.CookieName);
        var pinned = false;
        if (!value.IsEmpty && TryVerify(value, view, now, out var tag, out var keyIndex, out var expires))
        {
            if (view.ByTag[keyIndex].TryGetValue(tag, out var endpoint))
            {
                // Re-issue past half its life (sliding TTL) or when an older key signed it (rotation).
                if (keyIndex != 0 || expires - now < (long)view.Settings.Ttl.TotalSeconds / 2) SetCookie(context, view, endpoint, now);
                return endpoint;
            }
            pinned = true; // authentic, but its endpoint is no longer available
        }
        var chosen = view.PickNew(view.UsesKey ? RequestHashKey.Compute(context, view.Pool.LoadBalancing) : PickContext.None);
        if (chosen is null) return null;
        if (pinned) view.Repins.Inc();
        SetCookie(context, view, chosen, now);
        return chosen;
    }

    private bool TryVerify(ReadOnlySpan<char> value, AffinityView view, long now, out ulong tag, out int keyIndex, out long expires)
    {
        var id = HashKey.Combine(view.PoolKey, value);
        if (_verified.TryGetValue(id, out var known) && known.Expires > now && value.SequenceEqual(known.Value))
        {
            (tag, keyIndex, expires) = (known.Tag, known.KeyIndex, known.Expires);
            return true;
        }
        if (!AffinityCookie.TryDecode(value, _keys.Keys.AsSpan(), view.PoolKey, now, out tag, out keyIndex, out expires)) return false;
        if (Interlocked.Increment(ref _verifiedCount) > MaxVerifiedCookies)
        {
            _verified.Clear();
            Volatile.Write(ref _verifiedCount, 0);
        }
        _verified[id] = new VerifiedCookie(value.ToString(), tag, keyIndex, expires);
        return true;
    }

    private void SetCookie(HttpContext context, AffinityView view, EndpointState endpoint, long now)
    {
        var value = AffinityCookie.Encode(_keys.Keys[0], view.PoolKey, view.SigningTag[endpoint.Id], now + (long)view.Settings.Ttl.TotalSeconds);
        context.Response.Headers.Append(HeaderNames.SetCookie, string.Concat(view.Settings.CookieName, "=", value, view.CookieSuffix));
    }

    private ValueTask<EndpointState?> ChooseByTable(HttpContext context, AffinityView view)
    {
        var request = RequestHashKey.Compute(context, view.KeyOptions);
        if (!request.HasKey)
        {
            // No affinity key on this request (header absent): balance it like any other.
            return new(view.PickNew(view.UsesKey ? RequestHashKey.Compute(context, view.Pool.LoadBalancing) : PickContext.None));
        }
        return ChooseByKey(view, request);
    }

    /// <summary>
    /// A new L4 flow (TCP connection, UDP session) to a pool with client-IP affinity: the same table as HTTP, keyed by
    /// the client address exactly as HTTP <c>ClientIp</c> affinity keys it, shared through the same Redis with the
    /// same degradation rules. The key also feeds the balancer for a new pin, so a hashing pool (Maglev) makes the
    /// same first choice on every replica even while Redis is away.
    /// </summary>
    public ValueTask<EndpointState?> ChooseForClientAsync(PoolSnapshot pool, ILoadBalancer balancer, System.Net.IPAddress client)
        => ChooseByKey(View(pool, balancer), new PickContext(HashKey.Of(client)));

    private ValueTask<EndpointState?> ChooseByKey(AffinityView view, PickContext request)
    {
        var ttl = view.Settings.Ttl;
        var key = LocalKey(view.PoolKey, request.KeyHash);
        if (_table.TryGet(key, ttl, out var pin))
        {
            if (view.ById.TryGetValue(pin.EndpointId, out var endpoint))
            {
                if (pin.SharedKey is { } sharedKey && _table.ShouldRefreshShared(pin, ttl)) _shared?.Refresh(sharedKey, ttl);
                view.LocalHits.Inc();
                return new(endpoint);
            }
            view.Misses.Inc();
            return Repin(view, key, request, pin);
        }
        if (_shared is null)
        {
            view.Misses.Inc();
            var chosen = view.PickNew(request);
            if (chosen is not null) _table.Put(key, chosen.Id, null, ttl);
            return new(chosen);
        }
        return ChooseShared(view, key, request);
    }

    /// <summary>The pinned endpoint is unavailable: move the client, locally and in Redis.</summary>
    private async ValueTask<EndpointState?> Repin(AffinityView view, ulong key, PickContext request, AffinityTable.Pin old)
    {
        var chosen = view.PickNew(request);
        if (chosen is null) return null;
        view.Repins.Inc();
        var ttl = view.Settings.Ttl;
        _table.Put(key, chosen.Id, old.SharedKey, ttl);
        if (_shared is not null && old.SharedKey is { } sharedKey)
        {
            // Another replica may already have moved this client: follow it when its choice is available.
            var (outcome, current) = await _shared.GetAsync(sharedKey);
            if (outcome == SharedAffinityStore.Outcome.Found && current != old.EndpointId && current is not null && view.ById.TryGetValue(current, out var moved))
            {
                _table.Put(key, moved.Id, sharedKey, ttl);
                return moved;
            }
            if (outcome == SharedAffinityStore.Outcome.Unavailable || await _shared.PinAsync(sharedKey, chosen.Id, ttl, overwrite: true) is null)
            {
                view.LocalDecisions.Inc();
                _shared.Defer(key, sharedKey, chosen.Id, ttl);
            }
        }
        return chosen;
    }

    private async ValueTask<EndpointState?> ChooseShared(AffinityView view, ulong key, PickContext request)
    {
        var shared = _shared!;
        var ttl = view.Settings.Ttl;
        var sharedKey = SharedAffinityStore.KeyOf(view.Pool.Id, request.KeyHash);
        var (outcome, current) = await shared.GetAsync(sharedKey);
        if (outcome == SharedAffinityStore.Outcome.Found && view.ById.TryGetValue(current!, out var pinned))
        {
            view.SharedHits.Inc(); // another replica pinned this client (or this one did, before its local copy was dropped)
            _table.Put(key, pinned.Id, sharedKey, ttl);
            return pinned;
        }
        view.Misses.Inc();
        var chosen = view.PickNew(request);
        if (chosen is null) return null;
        if (outcome == SharedAffinityStore.Outcome.Unavailable)
        {
            view.LocalDecisions.Inc();
            _table.Put(key, chosen.Id, sharedKey, ttl);
            shared.Defer(key, sharedKey, chosen.Id, ttl);
            return chosen;
        }
        var repin = outcome == SharedAffinityStore.Outcome.Found; // shared pin names an unavailable endpoint
        if (repin) view.Repins.Inc();
        var winner = await shared.PinAsync(sharedKey, chosen.Id, ttl, overwrite: repin);
        if (winner is null)
        {
            view.LocalDecisions.Inc();
            shared.Defer(key, sharedKey, chosen.Id, ttl);
        }
        else if (winner != chosen.Id && view.ById.TryGetValue(winner, out var first))
        {
            chosen = first; // another replica pinned this client a moment ago
        }
        _table.Put(key, chosen.Id, sharedKey, ttl);
        return chosen;
    }

    /// <summary>The table's key: the request key's hash mixed with the pool's, so pools never share pins.</summary>
    private static ulong LocalKey(ulong poolKey, ulong keyHash) => keyHash ^ (poolKey * 0x9E3779B97F4A7C15UL);
}
