using Ballast.Model.Compilation;
using Ballast.Model.Inputs;
using Ballast.Model.Resources;
using Ballast.Model.Resources.GatewayApi;
using Ballast.Model.Snapshots;

namespace Ballast.Model.GatewayApi;

/// <summary>
/// A route's <c>backendRefs</c> → pools. A Service becomes a pool of its endpoints on that port, with the settings of a
/// BackendPool that targets it (<c>spec.targetRefs</c>, policy attachment) when there is one; a <c>ballast.dev</c>
/// BackendPool is used as it is. What does not resolve comes back as the spec's reason and message, so the caller can
/// make that share answer 500.
/// </summary>
internal sealed class BackendResolver(FrontEndContext context, ReferenceGrants grants, FrontEndTranslation into)
{
    public sealed record Resolved(string? PoolId, string? Reason, string? Message)
    {
        public bool Ok => PoolId is not null;
    }

    private readonly Dictionary<string, PoolSnapshot> _made = new(StringComparer.Ordinal);

    public Resolved Resolve(GatewayRoute route, BackendObjectReference backend, PoolProtocol protocol, FieldPath field)
    {
        var group = backend.Group ?? "";
        var kind = backend.Kind ?? "Service";
        var ns = string.IsNullOrEmpty(backend.Namespace) ? route.NamespaceOrDefault : backend.Namespace!;
        var isService = group == "" && kind == "Service";
        var isPool = group == ApiGroup.Group && kind == BackendPool.KindName;
        if (!isService && !isPool)
            return new(null, "InvalidKind", $"{field}: {(group == "" ? kind : $"{kind}.{group}")} is not a backend kind Ballast knows (Service, or BackendPool.ballast.dev)");
        if (!grants.Permits(GatewayApiGroup.Group, route.Kind, route.NamespaceOrDefault, group, kind, ns, backend.Name))
            return new(null, "RefNotPermitted", $"{field}: {kind} {ns}/{backend.Name} is in another namespace and no ReferenceGrant there allows {route.Kind}s from \"{route.NamespaceOrDefault}\" to refer to it");
        return isPool ? NativePool(ns, backend, protocol, field) : Service(ns, backend, protocol, field);
    }

    private Resolved NativePool(string ns, BackendObjectReference backend, PoolProtocol protocol, FieldPath field)
    {
        var id = $"{ns}/{backend.Name}";
        if (!context.NativePoolSnapshots.TryGetValue(id, out var pool))
            return new(null, "BackendNotFound", $"{field}: BackendPool {id} not found");
        if (pool is null) return new(null, "BackendNotFound", $"{field}: BackendPool {id} is invalid (see its status)");
        if (L4(protocol) != L4(pool.Protocol))
            return new(null, "UnsupportedProtocol", $"{field}: BackendPool {id} speaks {pool.Protocol}, this route needs {protocol}");
        return new(id, null, null);
    }

    private Resolved Service(string ns, BackendObjectReference backend, PoolProtocol protocol, FieldPath field)
    {
        if (backend.Port is not { } port) return new(null, "BackendNotFound", $"{field}.port: required for a Service");
        if (!context.Input.Services.TryGetValue($"{ns}/{backend.Name}", out var service))
            return new(null, "BackendNotFound", $"{field}: Service {ns}/{backend.Name} not found");
        if (!service.Ports.Any(p => p.Port == port))
            return new(null, "BackendNotFound", $"{field}: Service {ns}/{backend.Name} has no port {port}");

        // The Service port's appProtocol says how to talk to it (h2c: HTTP/2 without TLS), unless the route kind decides.
        if (protocol == PoolProtocol.HTTP1 && service.AppProtocols.GetValueOrDefault(port) == "kubernetes.io/h2c") protocol = PoolProtocol.HTTP2;
        var attached = context.NativePools.FirstOrDefault(p => p.NamespaceOrDefault == ns
            && p.Spec.TargetRefs?.Any(t => (t.Group ?? "") == "" && t.Kind == "Service" && t.Name == backend.Name) == true);
        if (attached is not null && !L4(protocol) && !L4(attached.Spec.Protocol) && attached.Spec.Protocol != PoolProtocol.HTTP1) protocol = attached.Spec.Protocol;
        var id = $"{ns}/{backend.Name}:{port}{(protocol == PoolProtocol.HTTP1 ? "" : "/" + protocol.ToString().ToLowerInvariant())}";
        if (_made.ContainsKey(id)) return new(id, null, null);

        var spec = attached is null ? new BackendPoolSpec() : Copy(attached.Spec);
        spec.Service = new ServiceReference { Name = backend.Name, Port = port };
        spec.Endpoints = null;
        spec.TargetRefs = null;
        spec.Protocol = protocol;
        var pool = new BackendPool { Metadata = { Name = id[(ns.Length + 1)..], Namespace = ns }, Spec = spec };
        var report = new ResourceReport(pool);
        var snapshot = context.CompilePool(pool, report) with { Id = id };
        _made[id] = snapshot;
        into.Pools.Add(snapshot);
        return new(id, null, null);
    }

    private static bool L4(PoolProtocol p) => p is PoolProtocol.TCP or PoolProtocol.UDP;

    /// <summary>A shallow copy is enough: the copy's own fields are replaced, the nested settings only read.</summary>
    private static BackendPoolSpec Copy(BackendPoolSpec s) => new()
    {
        Protocol = s.Protocol,
        LoadBalancing = s.LoadBalancing,
        HealthCheck = s.HealthCheck,
        PanicThreshold = s.PanicThreshold,
        SlowStart = s.SlowStart,
        SessionAffinity = s.SessionAffinity,
        Tls = s.Tls,
        CircuitBreaker = s.CircuitBreaker,
        DrainTimeout = s.DrainTimeout,
        ConnectTimeout = s.ConnectTimeout,
        ProxyProtocol = s.ProxyProtocol,
    };
}
