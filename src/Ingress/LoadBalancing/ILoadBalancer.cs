using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>
/// Chooses one endpoint per request. An instance is built for one fixed set of available endpoints
/// (health, backups and panic mode already applied) and replaced when that set changes, so tables such as
/// Maglev's are built off the hot path. <see cref="Pick"/> is called concurrently and must not lock.
/// </summary>
public interface ILoadBalancer
{
    /// <summary>The endpoints this balancer chooses among.</summary>
    ImmutableArray<EndpointState> Endpoints { get; }

    /// <summary>An endpoint, or null when there is none to choose.</summary>
    EndpointState? Pick(in PickContext context);
}

/// <summary>What a request offers a balancer: the hash of its key (for hashing algorithms) and an endpoint to avoid (retries).</summary>
public readonly struct PickContext
{
    public PickContext(ulong keyHash, bool hasKey = true, EndpointState? avoid = null)
    {
        KeyHash = keyHash;
        HasKey = hasKey;
        Avoid = avoid;
    }

    /// <summary>64-bit hash of the request's key (client IP, header …); meaningful only when <see cref="HasKey"/>.</summary>
    public ulong KeyHash { get; }
    public bool HasKey { get; }
    /// <summary>Prefer any other endpoint (a retry goes to a different endpoint when one exists).</summary>
    public EndpointState? Avoid { get; }

    public static PickContext None => default;
}

/// <summary>Builds balancers of one algorithm.</summary>
public interface ILoadBalancerFactory
{
    ILoadBalancer Create(ImmutableArray<EndpointState> endpoints, LoadBalancingSnapshot options);
}
