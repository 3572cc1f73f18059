using System.Net;
using Ballast.Model.Snapshots;
using Prometheus;

namespace Ballast.Ingress.Policies.AccessControl;

/// <summary>
/// An allow/deny list for a listener or a route. Deny wins; a non-empty allow list admits only its members;
/// a connection without a peer address (in-memory transports) is refused when any list is set.
/// </summary>
public sealed class IpAccessList
{
    private readonly IpNetworks _allow;
    private readonly IpNetworks _deny;

    public IpAccessList(AccessControlSnapshot config, Counter.Child denied)
    {
        _allow = new IpNetworks(config.Allow);
        _deny = new IpNetworks(config.Deny);
        Denied = denied;
    }

    /// <summary>Counts refusals of this list's scope.</summary>
    public Counter.Child Denied { get; }

    public static IpAccessList? Create(AccessControlSnapshot? config, PolicyMetrics metrics, string scope) =>
        config is null ? null : new IpAccessList(config, metrics.AccessDenied.WithLabels(scope));

    public bool Admits(IPAddress? peer)
    {
        var address = IpNetworks.Normalize(peer);
        if (address is null) return false;
        if (_deny.Contains(address)) return false;
        return _allow.IsEmpty || _allow.Contains(address);
    }
}
