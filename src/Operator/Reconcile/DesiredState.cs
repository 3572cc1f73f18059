using System.Collections.Immutable;
using System.Text.Json;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Serialization;
using k8s.Models;

namespace Ballast.Operator.Reconcile;

/// <summary>Turns what the informers hold into the Compiler's input: typed resources, resolved endpoints, secrets.</summary>
public static class DesiredState
{
    /// <summary>A resource the API server holds that does not even deserialize (a field the types do not know).</summary>
    public sealed record Unreadable(ResourceKey Key, long Generation, string Message);

    public static (List<T> Resources, List<Unreadable> Unreadable) Parse<T>(IEnumerable<JsonElement> items, string kind) where T : Resource
    {
        var resources = new List<T>();
        var bad = new List<Unreadable>();
        foreach (var item in items)
        {
            try
            {
                resources.Add(item.Deserialize<T>(ModelJson.Options) ?? throw new JsonException("empty object"));
            }
            catch (JsonException e)
            {
                var meta = item.GetProperty("metadata");
                var key = new ResourceKey(kind, meta.GetProperty("namespace").GetString() ?? "", meta.GetProperty("name").GetString() ?? "");
                var generation = meta.TryGetProperty("generation", out var g) ? g.GetInt64() : 0;
                bad.Add(new Unreadable(key, generation, (e.Path is { } p ? p.TrimStart('$', '.') + ": " : "") + e.Message));
            }
        }
        return (resources, bad);
    }

    /// <summary>
    /// Each Service's ports with the endpoints its EndpointSlices list under that port's name: ready → endpoint;
    /// serving and terminating → draining (the Compiler decides); neither → left for the counts only.
    /// </summary>
    public static ImmutableDictionary<string, ResolvedService> Services(IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices)
    {
        var byService = slices
            .Where(s => s.Metadata.Labels?.ContainsKey("kubernetes.io/service-name") == true)
            .GroupBy(s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Labels["kubernetes.io/service-name"]}")
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList());
        var result = ImmutableDictionary.CreateBuilder<string, ResolvedService>(StringComparer.Ordinal);
        foreach (var svc in services)
        {
            var key = $"{svc.Metadata.NamespaceProperty}/{svc.Metadata.Name}";
            var svcSlices = byService.GetValueOrDefault(key) ?? [];
            var ports = (svc.Spec?.Ports ?? []).Select(port =>
            {
                var endpoints = new List<ResolvedEndpoint>();
                foreach (var slice in svcSlices)
                {
                    var slicePort = slice.Ports?.FirstOrDefault(p => (p.Name ?? "") == (port.Name ?? ""));
                    if (slicePort?.Port is not { } targetPort) continue;
                    foreach (var ep in slice.Endpoints ?? [])
                    {
                        var c = ep.Conditions;
                        var ready = c?.Ready ?? true;
                        var serving = c?.Serving ?? ready;
                        var terminating = c?.Terminating ?? false;
                        foreach (var address in ep.Addresses ?? [])
                            endpoints.Add(new ResolvedEndpoint(address, targetPort, ready, serving, terminating));
                    }
                }
                return new ResolvedServicePort(port.Name, port.Port, [.. endpoints.OrderBy(e => e.Address, StringComparer.Ordinal).ThenBy(e => e.Port)]);
            }).ToImmutableArray();
            result[key] = new ResolvedService(svc.Metadata.NamespaceProperty, svc.Metadata.Name, ports);
        }
        return result.ToImmutable();
    }

    /// <summary>
    /// <c>namespace/name</c> of every Secret the resources name (listener certificates, ACME account keys, route
    /// API keys and basic-auth users, backend CA and client certificates): the only Secrets the operator watches.
    /// A new kind of secretRef in the model must be added here, or the operator never sees its Secret. A Secret is always in its resource's namespace.
    /// </summary>
    public static IReadOnlySet<string> SecretReferences(IEnumerable<BackendPool> pools, IEnumerable<LoadBalancerPolicy> policies)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        void Add(Resource owner, string? name)
        {
            if (!string.IsNullOrEmpty(name)) keys.Add($"{owner.NamespaceOrDefault}/{name}");
        }
        foreach (var pool in pools)
        {
            Add(pool, pool.Spec.Tls?.CaSecretRef);
            Add(pool, pool.Spec.Tls?.ClientCertificateSecretRef);
        }
        foreach (var policy in policies)
        {
            foreach (var listener in policy.Spec.Listeners ?? [])
            {
                foreach (var certificate in listener.Tls?.Certificates ?? []) Add(policy, certificate.SecretRef);
                Add(policy, listener.Tls?.Acme?.AccountSecretRef);
            }
            foreach (var route in policy.Spec.Routes ?? [])
            {
                Add(policy, route.Auth?.ApiKey?.SecretRef);
                Add(policy, route.Auth?.Basic?.SecretRef);
            }
        }
        return keys;
    }

    public static ImmutableDictionary<string, ResolvedSecret> Secrets(IEnumerable<V1Secret> secrets) =>
        secrets.ToImmutableDictionary(
            s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Name}",
            s => new ResolvedSecret(s.Type ?? "Opaque", (s.Data ?? new Dictionary<string, byte[]>()).ToImmutableDictionary()),
            StringComparer.Ordinal);
}
