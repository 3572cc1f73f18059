using Prometheus;

namespace Ballast.Ingress.Metrics;

/// <summary>
/// The one place that knows which series name which route, pool, endpoint or listener, so that the series of
/// an entity the configuration removed can be deleted (otherwise every pod IP ever seen stays a series forever).
/// Every labelled family of the data plane that names such an entity is created through <see cref="Track{TFamily}"/>
/// (TLS handshake and certificate series are not: the certificate store owns those): its label names say
/// which entity each label names (<c>route</c>, <c>pool</c>, <c>endpoint</c> within its <c>pool</c>,
/// <c>listener</c>, and <c>scope</c> = <c>route:&lt;id&gt;</c> or <c>listener:&lt;name&gt;</c>), so a new metric
/// needs that one call, not a removal path of its own. Removal walks each family's label values: off the hot path (at drain end or after a
/// swap's grace), nothing is recorded per request. One instance per registry (<see cref="Of"/>).
/// </summary>
public sealed class SeriesOwners
{
    private static readonly PerRegistry<SeriesOwners> ByRegistry = new(static _ => new SeriesOwners());

    private readonly Lock _sync = new();
    private readonly List<Family> _families = [];
    private readonly List<Action<RetiredEntity>> _caches = [];

    /// <summary>The owners of the series of <paramref name="registry"/> (metric classes built on one registry share it).</summary>
    public static SeriesOwners Of(CollectorRegistry registry) => ByRegistry.Of(registry);

    /// <summary>Registers a family (a no-op for one without entity labels) and returns it, for use in a constructor.</summary>
    public TFamily Track<TFamily>(TFamily family) where TFamily : Collector
    {
        var labels = family.LabelNames;
        var roles = new LabelRole[labels.Length];
        var named = false;
        for (var i = 0; i < labels.Length; i++)
        {
            roles[i] = labels[i] switch
            {
                "route" => LabelRole.Route,
                "pool" => LabelRole.Pool,
                "endpoint" => LabelRole.Endpoint,
                "listener" => LabelRole.Listener,
                "scope" => LabelRole.Scope,
                _ => LabelRole.Other,
            };
            named |= roles[i] != LabelRole.Other;
        }
        if (!named) return family;
        var access = FamilyAccess.For(family);
        lock (_sync)
        {
            if (_families.Exists(f => ReferenceEquals(f.Collector, family))) return family; // the registry hands out one instance per name
            _families.Add(new Family(family, roles, access.All, access.Remove));
        }
        return family;
    }

    /// <summary>
    /// A cache of labelled children keyed by entity (e.g. L4's per-endpoint counters) must forget the entity when
    /// its series go, or it would keep counting into children no scrape shows.
    /// </summary>
    public void OnRetired(Action<RetiredEntity> evict)
    {
        lock (_sync) _caches.Add(evict);
    }

    public void RemoveRoute(string routeId) => Remove(RetiredEntity.Route(routeId));

    public void RemovePool(string poolId) => Remove(RetiredEntity.Pool(poolId));

    public void RemoveEndpoint(string poolId, string endpointId) => Remove(RetiredEntity.Endpoint(poolId, endpointId));

    public void RemoveListener(string name) => Remove(RetiredEntity.Listener(name));

    /// <summary>Deletes every series that names <paramref name="entity"/>, and evicts it from the registered caches.</summary>
    public void Remove(RetiredEntity entity)
    {
        Family[] families;
        Action<RetiredEntity>[] caches;
        lock (_sync)
        {
            families = [.. _families];
            caches = [.. _caches];
        }
        foreach (var evict in caches) evict(entity);
        foreach (var family in families)
        {
            // Materialised first: removing while enumerating the family's children is not allowed.
            var doomed = family.All().Where(values => family.Names(entity, values)).ToList();
            foreach (var values in doomed) family.Remove(values);
        }
    }

    private enum LabelRole { Other, Route, Pool, Endpoint, Listener, Scope }

    private sealed record Family(Collector Collector, LabelRole[] Roles, Func<IEnumerable<string[]>> All, Action<string[]> Remove)
    {
        public bool Names(RetiredEntity entity, string[] values)
        {
            var matched = false;
            for (var i = 0; i < Roles.Length; i++)
            {
                var value = values[i];
                switch (entity.Kind, Roles[i])
                {
                    case (RetiredKind.Route, LabelRole.Route):
                    case (RetiredKind.Pool, LabelRole.Pool):
                    case (RetiredKind.Listener, LabelRole.Listener):
                    case (RetiredKind.Endpoint, LabelRole.Endpoint):
                        if (value != entity.Id) return false;
                        matched = true;
                        break;
                    case (RetiredKind.Endpoint, LabelRole.Pool):
                        if (value != entity.InPool) return false; // the same address may serve in another pool
                        break;
                    case (RetiredKind.Route, LabelRole.Scope):
                        if (value != "route:" + entity.Id) return false;
                        matched = true;
                        break;
                    case (RetiredKind.Listener, LabelRole.Scope):
                        if (value != "listener:" + entity.Id) return false;
                        matched = true;
                        break;
                }
            }
            return matched;
        }
    }

    /// <summary>Reaches the generic <see cref="Collector{TChild}"/> members of a family without knowing its child type.</summary>
    private static class FamilyAccess
    {
        public static (Func<IEnumerable<string[]>> All, Action<string[]> Remove) For(Collector family) => family switch
        {
            Counter c => (c.GetAllLabelValues, v => c.RemoveLabelled(v)),
            Gauge g => (g.GetAllLabelValues, v => g.RemoveLabelled(v)),
            Histogram h => (h.GetAllLabelValues, v => h.RemoveLabelled(v)),
            Summary s => (s.GetAllLabelValues, v => s.RemoveLabelled(v)),
            _ => throw new ArgumentException($"metric family {family.Name}: unsupported type {family.GetType().Name}", nameof(family)),
        };
    }
}

public enum RetiredKind { Route, Pool, Endpoint, Listener }

/// <summary>An entity the configuration no longer has and whose drain ended: route, pool, endpoint (of a pool) or listener.</summary>
public readonly record struct RetiredEntity(RetiredKind Kind, string Id, string? InPool)
{
    public static RetiredEntity Route(string id) => new(RetiredKind.Route, id, null);
    public static RetiredEntity Pool(string id) => new(RetiredKind.Pool, id, null);
    public static RetiredEntity Endpoint(string pool, string id) => new(RetiredKind.Endpoint, id, pool);
    public static RetiredEntity Listener(string name) => new(RetiredKind.Listener, name, null);
}
