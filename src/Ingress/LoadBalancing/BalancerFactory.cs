using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>Builds the balancer of a pool for a set of available endpoints (the registry of algorithms in production).</summary>
public delegate ILoadBalancer BalancerFactory(ImmutableArray<EndpointState> endpoints, LoadBalancingSnapshot options);
