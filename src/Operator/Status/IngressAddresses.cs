using Ballast.Model.Resources;
using k8s.Models;

namespace Ballast.Operator.Status;

/// <summary>
/// The addresses every policy's <c>status.addresses</c> carries (pure): where clients reach the ingress. The
/// configured ones when the operator has any (a DNS name in front, a fixed VIP); else the ingress Service's
/// load-balancer ingress (IPs and hostnames, as the cloud's controller writes them); else, for NodePort and
/// hostNetwork setups, the nodes' external addresses (internal ones when a node has none). Null: nothing known yet.
/// </summary>
public static class IngressAddresses
{
    public static List<PolicyAddress>? From(IReadOnlyList<string> configured, V1Service? service, IEnumerable<V1Node> nodes)
    {
        IEnumerable<string> values = configured;
        if (configured.Count == 0)
        {
            var ingress = service?.Status?.LoadBalancer?.Ingress ?? [];
            values = ingress.SelectMany(i => new[] { i.Ip, i.Hostname }).Where(v => !string.IsNullOrEmpty(v))!;
            if (!values.Any()) values = nodes.SelectMany(NodeAddresses);
        }
        var result = values.Distinct(StringComparer.OrdinalIgnoreCase).Select(Address).ToList();
        return result.Count == 0 ? null : result;
    }

    private static IEnumerable<string> NodeAddresses(V1Node node)
    {
        var addresses = node.Status?.Addresses ?? [];
        var external = addresses.Where(a => a.Type == "ExternalIP").Select(a => a.Address).ToList();
        return external.Count > 0 ? external : addresses.Where(a => a.Type == "InternalIP").Select(a => a.Address);
    }

    private static PolicyAddress Address(string value) => new()
    {
        Type = System.Net.IPAddress.TryParse(value, out _) ? PolicyAddress.IPAddress : PolicyAddress.Hostname,
        Value = value,
    };
}
