using System.Collections.Immutable;
using System.Text.Json;
using Ballast.Model.Compilation;
using Ballast.Model.Inputs;
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
        var (resources, bad) = Parse(typeof(T), items, kind);
        return ([.. resources.Cast<T>()], bad);
    }

    /// <summary>Objects of a kind known by its model type (the front-ends' kinds).</summary>
    public static (List<Resource> Resources, List<Unreadable> Unreadable) Parse(Type type, IEnumerable<JsonElement> items, string kind)
    {
        var resources = new List<Resource>();
        var bad = new List<Unreadable>();
        foreach (var item in items)
        {
            try
            {
                resources.Add((Resource?)item.Deserialize(type, ModelJson.Options) ?? throw new JsonException("empty object"));
            }
            catch (JsonException e)
            {
                var meta = item.GetProperty("metadata");
                var key = new ResourceKey(kind, meta.TryGetProperty("namespace", out var ns) ? ns.GetString() ?? "" : "", meta.GetProperty("name").GetString() ?? "");
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
    public static ImmutableDictionary<string, ResolvedService> Services(IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices) =>
        // One resolution for both modes: the cluster's objects become the model's, as standalone mode reads them from a folder.
        ClusterObjects.Services(
            services.Select(svc => new Model.Resources.Core.Service
            {
                Metadata = { Name = svc.Metadata.Name, Namespace = svc.Metadata.NamespaceProperty },
                Spec = new() { Ports = [.. (svc.Spec?.Ports ?? []).Select(p => new Model.Resources.Core.ServicePort { Name = p.Name, Port = p.Port, Protocol = p.Protocol, AppProtocol = p.AppProtocol })] },
            }),
            slices.Select(slice => new Model.Resources.Core.EndpointSlice
            {
                Metadata = { Name = slice.Metadata.Name, Namespace = slice.Metadata.NamespaceProperty, Labels = slice.Metadata.Labels is { } l ? new(l) : null },
                Ports = [.. (slice.Ports ?? []).Select(p => new Model.Resources.Core.SlicePort { Name = p.Name, Port = p.Port, Protocol = p.Protocol })],
                Endpoints = [.. (slice.Endpoints ?? []).Select(e => new Model.Resources.Core.SliceEndpoint
                {
                    Addresses = [.. e.Addresses ?? []],
                    Conditions = e.Conditions is { } c ? new() { Ready = c.Ready, Serving = c.Serving, Terminating = c.Terminating } : null,
                })],
            }));

    /// <summary>
    /// <c>namespace/name</c> of every Secret the resources name (listener certificates, ACME account keys, route
    /// API keys and basic-auth users, backend CA and client certificates): the only Secrets the operator watches.
    /// A new kind of secretRef in the model must be added here, or the operator never sees its Secret. A Secret is in
    /// its resource's namespace, except a Gateway's certificateRef that names another (a ReferenceGrant's business).
    /// </summary>
    /// <param name="frontEndInputs">Gateway API and Ingress objects: Gateways name their listeners' certificate Secrets.</param>
    public static IReadOnlySet<string> SecretReferences(IEnumerable<BackendPool> pools, IEnumerable<LoadBalancerPolicy> policies,
        IReadOnlyList<Resource> frontEndInputs)
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
        keys.UnionWith(GatewaySecretReferences(frontEndInputs));
        return keys;
    }

    /// <summary>
    /// <c>namespace/name</c> of the Secrets that Gateways' listeners name in <c>tls.certificateRefs</c> (core Secrets
    /// only; another namespace's when written, the Gateway's otherwise). Whether a ReferenceGrant allows a
    /// cross-namespace one is the Compiler's to say: watching it costs nothing, and lets a grant added later work.
    /// </summary>
    private static IEnumerable<string> GatewaySecretReferences(IReadOnlyList<Resource> frontEndInputs) =>
        from gateway in frontEndInputs.OfType<Model.Resources.GatewayApi.Gateway>()
        from listener in gateway.Spec.Listeners ?? []
        from reference in listener.Tls?.CertificateRefs ?? []
        where string.IsNullOrEmpty(reference.Group) && (reference.Kind ?? "Secret") == "Secret" && reference.Name.Length > 0
        select $"{(string.IsNullOrEmpty(reference.Namespace) ? gateway.NamespaceOrDefault : reference.Namespace)}/{reference.Name}";

    /// <summary>
    /// The native policies the Ingresses of ours translate into (what the Compiler serves for them): their listeners
    /// name the Ingresses' TLS Secrets and their routes the <c>auth-secret</c> ones, for <see cref="SecretReferences"/>.
    /// </summary>
    public static IReadOnlyList<LoadBalancerPolicy> IngressPolicies(IReadOnlyList<Resource> frontEndInputs) =>
        Model.Ingresses.IngressTranslator.Translate(
            [.. frontEndInputs.OfType<Model.Ingresses.Ingress>()],
            [.. frontEndInputs.OfType<Model.Ingresses.IngressClass>()],
            new Model.Ingresses.IngressTranslatorOptions()).Policies;

    public static ImmutableDictionary<string, ResolvedSecret> Secrets(IEnumerable<V1Secret> secrets) =>
        secrets.ToImmutableDictionary(
            s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Name}",
            s => new ResolvedSecret(s.Type ?? "Opaque", (s.Data ?? new Dictionary<string, byte[]>()).ToImmutableDictionary()),
            StringComparer.Ordinal);
}
