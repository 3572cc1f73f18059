using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ballast.Model.Compilation.Rules;

/// <summary>Parses <c>host:port</c>, <c>1.2.3.4:80</c> and <c>[::1]:80</c>.</summary>
internal static class EndpointAddress
{
    public static bool TryParse(string text, out string host, out int port, out string error)
    {
        host = ""; port = 0; error = "";
        string hostPart, portPart;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':') { error = $"expected [v6-address]:port, got \"{text}\""; return false; }
            hostPart = text[1..close];
            portPart = text[(close + 2)..];
            if (!IPAddress.TryParse(hostPart, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6) { error = $"\"{hostPart}\" is not an IPv6 address"; return false; }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0) { error = $"expected host:port, got \"{text}\""; return false; }
            hostPart = text[..colon];
            portPart = text[(colon + 1)..];
            if (hostPart.Contains(':')) { error = $"an IPv6 address needs brackets: [{hostPart}]:{portPart}"; return false; }
            if (!Names.IsIp(hostPart) && Names.NormalizeHost(hostPart, allowWildcard: false) is null) { error = $"\"{hostPart}\" is not a valid host name or IP address"; return false; }
        }
        if (!int.TryParse(portPart, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            error = $"port must be between 1 and 65535, got \"{portPart}\"";
            return false;
        }
        host = hostPart.ToLowerInvariant();
        return true;
    }
}
