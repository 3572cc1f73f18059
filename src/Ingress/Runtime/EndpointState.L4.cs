using System.Net;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Runtime;

/// <summary>L4 concern of an endpoint: the socket address to connect to, parsed once per endpoint configuration.</summary>
public sealed partial class EndpointState
{
    private Tuple<EndpointSnapshot, EndPoint>? _socketAddress;

    /// <summary>
    /// An <see cref="IPEndPoint"/> for an IP literal, a <see cref="DnsEndPoint"/> for a host name (resolved by the
    /// socket at connect time). Cached against <see cref="Config"/>, so a reload that changes the address is seen.
    /// </summary>
    public EndPoint SocketAddress
    {
        get
        {
            var cached = Volatile.Read(ref _socketAddress);
            var config = Config;
            if (cached is not null && ReferenceEquals(cached.Item1, config)) return cached.Item2;
            EndPoint address = IPAddress.TryParse(config.Host, out var ip) ? new IPEndPoint(ip, config.Port) : new DnsEndPoint(config.Host, config.Port);
            Volatile.Write(ref _socketAddress, Tuple.Create(config, address));
            return address;
        }
    }
}
