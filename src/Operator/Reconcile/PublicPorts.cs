using System.Globalization;
using k8s.Models;

namespace Ballast.Operator.Reconcile;

/// <summary>
/// The port clients reach each ingress container port on (pure), for redirects that keep the scheme: in a cluster a
/// listener binds the pods' container port (8080) while clients use the ingress Service's port that targets it (80).
/// A numeric <c>targetPort</c> names the container port; a named one (the chart's <c>targetPort: http</c>) is resolved
/// as Kubernetes resolves it, from the Service's EndpointSlices, whose ports carry the Service port's name and the
/// container port it became. A NodePort Service is reached on its <c>nodePort</c>. TCP ports only: a redirect is HTTP.
/// </summary>
public static class PublicPorts
{
    public static IReadOnlyDictionary<int, int> From(V1Service? service, IEnumerable<V1EndpointSlice> slices)
    {
        var result = new Dictionary<int, int>();
        if (service?.Spec?.Ports is not { } ports) return result;
        var resolved = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in slices.SelectMany(s => s.Ports ?? []).Where(p => p.Port is not null && IsTcp(p.Protocol)))
            resolved.TryAdd(p.Name ?? "", p.Port!.Value);
        var nodePorts = service.Spec.Type == "NodePort";
        foreach (var port in ports.Where(p => IsTcp(p.Protocol)))
        {
            var target = port.TargetPort?.Value;
            int? container = string.IsNullOrEmpty(target) ? port.Port
                : int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number
                : resolved.TryGetValue(port.Name ?? "", out var named) ? named : null;
            // Two Service ports on one container port: the first one written is the one Location names.
            if (container is { } c) result.TryAdd(c, nodePorts && port.NodePort is { } nodePort ? nodePort : port.Port);
        }
        return result;
    }

    private static bool IsTcp(string? protocol) => protocol is null or "TCP";
}
