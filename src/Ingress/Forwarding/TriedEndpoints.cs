using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;

namespace Ballast.Ingress.Forwarding;

/// <summary>
/// The endpoints one request has been sent to, so that it is sent again only to one it has not tried: each endpoint
/// at most once per request, which bounds a request's replays by the pool. Pure; allocates nothing until a third
/// endpoint is tried (a failed request usually tries two).
/// </summary>
public sealed class TriedEndpoints
{
    private readonly EndpointState _first;
    private EndpointState? _second;
    private List<EndpointState>? _more;

    public TriedEndpoints(EndpointState first) => _first = first;

    /// <summary>How many endpoints were tried.</summary>
    public int Count => 1 + (_second is null ? 0 : 1) + (_more?.Count ?? 0);

    public bool Contains(EndpointState endpoint)
    {
        if (ReferenceEquals(endpoint, _first) || ReferenceEquals(endpoint, _second)) return true;
        if (_more is null) return false;
        foreach (var tried in _more)
        {
            if (ReferenceEquals(endpoint, tried)) return true;
        }

        return false;
    }

    public void Add(EndpointState endpoint)
    {
        if (Contains(endpoint)) return;
        if (_second is null) _second = endpoint;
        else (_more ??= []).Add(endpoint);
    }

    /// <summary>
    /// <paramref name="preferred"/> (the balancer's choice) when it was not tried, else the first of
    /// <paramref name="available"/> (the pool's endpoints now, which a reload may have changed) that was not; null
    /// when every one was.
    /// </summary>
    public EndpointState? Untried(EndpointState? preferred, ImmutableArray<EndpointState> available)
    {
        if (preferred is not null && !Contains(preferred)) return preferred;
        foreach (var endpoint in available)
        {
            if (!Contains(endpoint)) return endpoint;
        }

        return null;
    }
}
