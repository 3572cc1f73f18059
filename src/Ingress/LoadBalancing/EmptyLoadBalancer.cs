using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.LoadBalancing;

/// <summary>The balancer of a pool with no available endpoint: every pick is null (the proxy answers 503).</summary>
internal sealed class EmptyLoadBalancer : ILoadBalancer
{
    public ImmutableArray<EndpointState> Endpoints => [];

    public EndpointState? Pick(in PickContext context) => null;
}
