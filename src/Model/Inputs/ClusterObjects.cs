using System.Collections.Immutable;
using System.Text;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Resources.Core;

namespace Ballast.Model.Inputs;

/// <summary>
/// Core objects read from a folder (standalone mode) resolved the way the operator resolves them from a cluster:
/// a Service's ports with the endpoints of its EndpointSlices, a Secret's data decoded.
/// </summary>
public static class ClusterObjects
{
    /// <summary>EndpointSlice semantics: a missing <c>ready</c> means ready; <c>serving</c> defaults to <c>ready</c>.</summary>
    public static ImmutableDictionary<string, ResolvedService> Services(IEnumerable<Service> services, IEnumerable<EndpointSlice> slices)
    {
        var byService = slices
            .Where(s => s.Metadata.Labels?.ContainsKey(EndpointSlice.ServiceNameLabel) == true)
            .GroupBy(s => $"{s.NamespaceOrDefault}/{s.Metadata.Labels![EndpointSlice.ServiceNameLabel]}")
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList());
        var result = ImmutableDictionary.CreateBuilder<string, ResolvedService>(StringComparer.Ordinal);
        foreach (var svc in services)
        {
            var key = $"{svc.NamespaceOrDefault}/{svc.Metadata.Name}";
            var svcSlices = byService.GetValueOrDefault(key) ?? [];
            var ports = (svc.Spec.Ports ?? []).Select(port =>
            {
                var endpoints = new List<ResolvedEndpoint>();
                foreach (var slice in svcSlices)
                {
                    var slicePort = slice.Ports?.FirstOrDefault(p => (p.Name ?? "") == (port.Name ?? ""));
                    if (slicePort?.Port is not { } targetPort) continue;
                    foreach (var ep in slice.Endpoints ?? [])
                    {
                        var ready = ep.Conditions?.Ready ?? true;
                        foreach (var address in ep.Addresses)
                            endpoints.Add(new ResolvedEndpoint(address, targetPort, ready, ep.Conditions?.Serving ?? ready, ep.Conditions?.Terminating ?? false));
                    }
                }
                return new ResolvedServicePort(port.Name, port.Port, [.. endpoints.OrderBy(e => e.Address, StringComparer.Ordinal).ThenBy(e => e.Port)]);
            }).ToImmutableArray();
            result[key] = new ResolvedService(svc.NamespaceOrDefault, svc.Metadata.Name, ports) { AppProtocols = AppProtocols(svc) };
        }
        return result.ToImmutable();
    }

    private static ImmutableDictionary<int, string> AppProtocols(Service svc) =>
        (svc.Spec.Ports ?? []).Where(p => p.AppProtocol is not null)
            .GroupBy(p => p.Port).ToImmutableDictionary(g => g.Key, g => g.First().AppProtocol!);

    /// <summary><c>data</c> is base64 (a value that is not becomes a diagnostic naming the key); <c>stringData</c> wins over it.</summary>
    public static ImmutableDictionary<string, ResolvedSecret> Secrets(IEnumerable<Secret> secrets, List<Diagnostic> diagnostics)
    {
        var result = ImmutableDictionary.CreateBuilder<string, ResolvedSecret>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            var data = ImmutableDictionary.CreateBuilder<string, byte[]>(StringComparer.Ordinal);
            foreach (var (k, v) in secret.Data ?? [])
            {
                try { data[k] = Convert.FromBase64String(v); }
                catch (FormatException)
                {
                    diagnostics.Add(new Diagnostic(secret.Key, $"data.{k}", "not valid base64 (put plain text under stringData instead)", secret.Source));
                }
            }
            foreach (var (k, v) in secret.StringData ?? []) data[k] = Encoding.UTF8.GetBytes(v);
            result[$"{secret.NamespaceOrDefault}/{secret.Metadata.Name}"] = new ResolvedSecret(secret.Type ?? "Opaque", data.ToImmutable());
        }
        return result.ToImmutable();
    }
}
