using System.Collections.Immutable;
using System.Net;

namespace Ballast.Ingress.Policies.AccessControl;

/// <summary>A list of CIDRs (already validated and normalised by the Compiler) and a membership test.</summary>
public sealed class IpNetworks
{
    private readonly IPNetwork[] _networks;

    public IpNetworks(ImmutableArray<string> cidrs)
    {
        _networks = [.. cidrs.Select(c => IPNetwork.Parse(c))];
    }

    public bool IsEmpty => _networks.Length == 0;

    public bool Contains(IPAddress address)
    {
        foreach (var network in _networks)
        {
            if (network.Contains(address)) return true;
        }
        return false;
    }

    /// <summary>The peer's address with IPv4-mapped IPv6 (dual-stack sockets) turned back into IPv4, so v4 CIDRs match it.</summary>
    public static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
