using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Metrics;
using Ballast.Model.Snapshots;
using Prometheus;

namespace Ballast.Ingress.Pools;

/// <summary>
/// The live side of one pool, kept across snapshots by pool id: its endpoints' states (carried over by
/// endpoint id), its outbound connection pool (reused while the transport settings do not change) and its
/// current balancer over the available endpoints. Mutated only by <see cref="DataPlane.DataPlane"/> while it
/// builds a new state (off the hot path, one apply at a time); the hot path reads <see cref="Balancer"/>.
/// </summary>
public sealed class PoolRuntime
{
    private readonly BalancerFactory _balancerFactory;
    private volatile ILoadBalancer _balancer;

    public PoolRuntime(PoolSnapshot config, BalancerFactory balancerFactory, IngressMetrics metrics)
    {
        _balancerFactory = balancerFactory;
        Id = config.Id;
        Config = config;
        TransportKey = PoolTransportKey.Of(config);
        Invoker = PoolTransport.CreateInvoker(config);
        Endpoints = [.. config.Endpoints.Select(e => new EndpointState(e))];
        NoEndpoint = metrics.NoEndpoint.WithLabels(Id);
        Breaker = new Policies.CircuitBreaking.PoolCircuitBreaker(Id, metrics.Policies);
        Breaker.Configure(config.CircuitBreaker);
        _balancer = _balancerFactory(AvailableEndpoints.Select(Endpoints), config.LoadBalancing);
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
        var next = ImmutableArray.CreateBuilder<EndpointState>(config.Endpoints.Length);
        foreach (var endpoint in config.Endpoints)
        {
            if (byId.TryGetValue(endpoint.Id, out var state)) state.Config = endpoint;
            else state = new EndpointState(endpoint);
            next.Add(state);
        }
        Config = config;
        Endpoints = next.MoveToImmutable();
        Breaker.Configure(config.CircuitBreaker);

        HttpMessageInvoker? retired = null;
        var key = PoolTransportKey.Of(config);
        if (key != TransportKey)
        {
            retired = Invoker;
            Invoker = PoolTransport.CreateInvoker(config);
            TransportKey = key;
        }
        RecomputeAvailable();
        return retired;
    }

    /// <summary>
    /// Rebuilds the balancer from the current endpoint set (non-draining primaries, else backups, else
    /// draining). The one place that decides availability: health checking calls it when an endpoint's
    /// health changes.
    /// </summary>
    public void RecomputeAvailable()
    {
        _balancer = _balancerFactory(AvailableEndpoints.Select(Endpoints), Config.LoadBalancing);
    }
}
