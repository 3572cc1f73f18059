using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Runtime;

/// <summary>
/// One weighted share of a route, ready to forward: its pool, the forwarder settings for the pool's protocol, the
/// transformer (the route's, or one that adds the backend's own header rules) and the invoker (the pool's, or a thin
/// one that puts <c>add</c> values on lines of their own). A share that answers by itself (an unresolved Gateway API
/// backendRef) has no pool and a <see cref="FixedStatus"/>. Built once per snapshot; the hot path reads it.
/// </summary>
public sealed class RouteShare
{
    /// <summary>Null when the share answers <see cref="FixedStatus"/> or its pool is missing from the snapshot.</summary>
    public PoolRuntime? Pool { get; init; }
    /// <summary>The status this share answers instead of forwarding (500 for an unresolved backendRef), else 0.</summary>
    public int FixedStatus { get; init; }
    public ForwarderRequestConfig RequestConfig { get; init; } = ForwarderRequestConfig.Empty;
    /// <summary>For a single attempt.</summary>
    public HttpTransformer Transformer { get; init; } = HttpTransformer.Default;
    /// <summary>For attempts of a route that retries (screens retriable statuses when the policy has some).</summary>
    public HttpTransformer RetryTransformer { get; init; } = HttpTransformer.Default;
    /// <summary>The pool's invoker, or one that applies the rules' <c>add</c> values at send time.</summary>
    public HttpMessageInvoker? Invoker { get; init; }
}
