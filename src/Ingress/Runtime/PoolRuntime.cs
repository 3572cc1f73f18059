using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Ingress.Policies;
using Ballast.Model.Snapshots;
using Prometheus;

namespace Ballast.Ingress.Runtime;

/// <summary>
/// The live side of one pool, kept across snapshots by pool id: its endpoints' states (carried over by
/// endpoint id), its outbound connection pool (reused while the transport settings do not change) and its
/// current balancer over the available endpoints. Mutated only by <see cref="DataPlane"/> while it
/// builds a new state (off the hot path, one apply at a time); the hot path reads <see cref="Balancer"/>.
/// </summary>
public sealed class PoolRuntime : IDisposable
{
    private readonly BalancerFactory _balancerFactory;
    private readonly Lock _recomputeLock = new();
    private volatile ILoadBalancer _balancer;
    private readonly IngressMetrics _metrics;

    public PoolRuntime(PoolSnapshot config, BalancerFactory balancerFactory, IngressMetrics metrics, HealthServices? health = null)
    {
        _balancerFactory = balancerFactory;
        _metrics = metrics;
        Id = config.Id;
        Config = config;
        TransportKey = PoolTransportKey.Of(config);
        Invoker = PoolTransport.CreateInvoker(config, BackendTlsReporter.Of(_metrics.Registry));
        Endpoints = [.. config.Endpoints.Select(e => new EndpointState(e))];
        NoEndpoint = metrics.NoEndpoint.WithLabels(Id);
        Breaker = new Policies.CircuitBreaking.PoolCircuitBreaker(Id, PolicyMetrics.Of(metrics.Registry));
        Breaker.Configure(config.CircuitBreaker);
        Health = new PoolHealth(config, health ?? new HealthServices(TimeProvider.System), RecomputeAvailable);
        _balancer = null!;
        Health.Configure(config, Endpoints, []);
        RecomputeAvailable();
    }

    public string Id { get; }
    public PoolSnapshot Config { get; private set; }
    public PoolTransportKey TransportKey { get; private set; }
    public HttpMessageInvoker Invoker { get; private set; }
    /// <summary>Every endpoint of the pool (primaries, backups, draining), in snapshot order.</summary>
    public ImmutableArray<EndpointState> Endpoints { get; private set; }
    /// <summary>Chooses among the available endpoints; replaced (never mutated) when that set changes.</summary>
    public ILoadBalancer Balancer => _balancer;
    public Counter.Child NoEndpoint { get; }
    /// <summary>The pool's concurrency limits (per replica); one instance for the pool's life, so counts survive reloads.</summary>
    public Policies.CircuitBreaking.PoolCircuitBreaker Breaker { get; }
    /// <summary>Active and passive health, slow start, draining and availability of this pool's endpoints.</summary>
    public PoolHealth Health { get; }
    /// <summary>Whether the algorithm hashes a request key (computed per request only then).</summary>
    public bool UsesKey => LoadBalancerRegistry.UsesKey(Config.LoadBalancing.Algorithm);

    /// <summary>
    /// Takes a new configuration of the same pool: endpoint states carry over by id, the invoker is kept
    /// when the transport is unchanged. Returns the invoker it replaced (for the caller to retire after
    /// in-flight requests drain), or null.
    /// </summary>
    public HttpMessageInvoker? Update(PoolSnapshot config)
    {
        var byId = Endpoints.ToDictionary(e => e.Id, StringComparer.Ordinal);
        foreach (var draining in Health.Draining) byId.TryAdd(draining.Id, draining); // back before its drain ended
        var next = ImmutableArray.CreateBuilder<EndpointState>(config.Endpoints.Length);
        foreach (var endpoint in config.Endpoints)
        {
            if (byId.TryGetValue(endpoint.Id, out var state)) state.Config = endpoint;
            else state = new EndpointState(endpoint);
            next.Add(state);
        }
        var kept = new HashSet<EndpointState>(next, ReferenceEqualityComparer.Instance);
        var removed = Endpoints.Where(e => !kept.Contains(e)).ToList();
        Config = config;
        Endpoints = next.MoveToImmutable();
        Breaker.Configure(config.CircuitBreaker);
        Health.Configure(config, Endpoints, removed);

        HttpMessageInvoker? retired = null;
        var key = PoolTransportKey.Of(config);
        if (key != TransportKey)
        {
            retired = Invoker;
            Invoker = PoolTransport.CreateInvoker(config, BackendTlsReporter.Of(_metrics.Registry));
            TransportKey = key;
        }
        RecomputeAvailable();
        return retired;
    }

    /// <summary>
    /// Rebuilds the balancer over the endpoints <see cref="Health"/> makes available (healthy primaries;
    /// backups when no primary is; panic and draining rules, see <see cref="Availability"/>). Called on every
    /// reload and by health on every transition (from its timers), hence the lock: a rebuild never publishes a
    /// balancer over an endpoint set older than the one another rebuild already published.
    /// </summary>
    public void RecomputeAvailable()
    {
        lock (_recomputeLock)
        {
            var replaced = _balancer;
            _balancer = _balancerFactory(Health.Select(Endpoints).Endpoints, Config.LoadBalancing);
            // Inside the lock: observers see the replacements in the order they were published.
            if (replaced is not null) BalancerReplaced?.Invoke(replaced, _balancer);
        }
    }

    /// <summary>
    /// Raised (old, new) after every balancer replacement — reload, health transition, slow-start step — inside the
    /// rebuild lock, so in publication order. Handlers must be quick and must not throw (the L4 flow table pins the
    /// live flows whose choice changes, see <c>L4/Flows/FlowTable</c>).
    /// </summary>
    public event Action<ILoadBalancer, ILoadBalancer>? BalancerReplaced;

    /// <summary>The pool left the configuration: stops its probers and timers.</summary>
    public void Dispose() => Health.Dispose();
}
