using System.Collections.Immutable;
using Ballast.Model.Snapshots;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>Builds the balancer of a pool for a set of available endpoints (the registry of algorithms in production).</summary>
public delegate ILoadBalancer BalancerFactory(ImmutableArray<EndpointState> endpoints, LoadBalancingSnapshot options);
