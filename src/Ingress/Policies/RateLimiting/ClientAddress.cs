using System.Net;
using Ballast.Ingress.Policies.AccessControl;

namespace Ballast.Ingress.Policies.RateLimiting;

/// <summary>
/// The client's address for rate limiting. The peer address, unless the peer is a trusted proxy: then the
/// right-most X-Forwarded-For entry that is not itself a trusted proxy (entries to its left are the client's
/// own claims and could be forged). Without trusted proxies X-Forwarded-For is ignored altogether.
/// </summary>
public static class ClientAddress
{
    private const string ForwardedFor = "X-Forwarded-For";

    public static IPAddress? Of(HttpContext context, IpNetworks? trustedProxies)
    {
        var peer = IpNetworks.Normalize(context.Connection.RemoteIpAddress);
        if (peer is null || trustedProxies is null || !trustedProxies.Contains(peer)) return peer;

        var values = context.Request.Headers[ForwardedFor];
        var client = peer;
        for (var v = values.Count - 1; v >= 0; v--)
        {
            var header = (values[v] ?? "").AsSpan();
            while (header.Length > 0)
            {
                var comma = header.LastIndexOf(',');
                var entry = header[(comma + 1)..].Trim();
                header = comma < 0 ? [] : header[..comma];
                if (entry.IsEmpty) continue;
                if (!IPAddress.TryParse(entry, out var address)) return client; // garbage: stop at the last address we trust
                address = IpNetworks.Normalize(address)!;
                if (!trustedProxies.Contains(address)) return address;
                client = address;
            }
        }
        return client;
    }
}
