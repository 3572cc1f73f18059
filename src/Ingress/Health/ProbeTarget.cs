using System.Net;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Health;

/// <summary>Where a probe goes: the endpoint's host and the check's port (the health port) or the traffic port.</summary>
public readonly record struct ProbeTarget(string Host, int Port)
{
    public static ProbeTarget Of(EndpointSnapshot endpoint, ActiveHealthSnapshot check) =>
        new(endpoint.Host, check.Port is > 0 and var p ? p : endpoint.Port);

    /// <summary><c>host:port</c>, brackets around IPv6 literals.</summary>
    public string Authority => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public Uri Uri(string scheme, string pathAndQuery) => new($"{scheme}://{Authority}{(pathAndQuery.StartsWith('/') ? "" : "/")}{pathAndQuery}");

    public EndPoint EndPoint => IPAddress.TryParse(Host, out var ip) ? new IPEndPoint(ip, Port) : new DnsEndPoint(Host, Port);
}
