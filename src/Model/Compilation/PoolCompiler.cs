using System.Collections.Immutable;
using Ballast.Model.Compilation.Rules;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation;

/// <summary>One BackendPool → its <see cref="PoolSnapshot"/>, its endpoint counts and its problems.</summary>
internal static class PoolCompiler
{
    private static readonly PoolSnapshot Defaults = new();

    public sealed record Result(PoolSnapshot Snapshot, EndpointCounts Counts);

    public static Result Compile(BackendPool pool, CompilerInput input, ResourceReport r)
    {
        var spec = pool.Spec;
        var s = FieldPath.Spec;
        if (spec.Endpoints is null && spec.Service is null && spec.TargetRefs is null) r.Error(s, "one of endpoints, service or targetRefs is required");
        for (var i = 0; i < (spec.TargetRefs?.Count ?? 0); i++)
        {
            var t = spec.TargetRefs![i];
            if ((t.Group ?? "") != "" || t.Kind != "Service") r.Error(s.Field("targetRefs").Index(i), $"only Services (group \"\", kind Service) can be targeted, got {t.Group}/{t.Kind}");
            if (string.IsNullOrEmpty(t.Name)) r.Error(s.Field("targetRefs").Index(i).Field("name"), "required");
        }

        var endpoints = ImmutableArray.CreateBuilder<EndpointSnapshot>();
        var counts = new EndpointCounts();
        StaticEndpoints(r, s.Field("endpoints"), spec.Endpoints, endpoints, counts);
        if (spec.Service is { } svc) ServiceEndpoints(r, s.Field("service"), svc, pool.NamespaceOrDefault, input, endpoints, counts);

        var lb = LoadBalancingRules.Compile(r, s.Field("loadBalancing"), spec.LoadBalancing);
        LoadBalancingRules.WarnIgnoredWeights(r, s.Field("endpoints"), spec.Endpoints, lb.Algorithm);
        var active = HealthCheckRules.CompileActive(r, s.Field("healthCheck").Field("active"), spec.HealthCheck?.Active, spec.Protocol);
        var passive = HealthCheckRules.CompilePassive(r, s.Field("healthCheck").Field("passive"), spec.HealthCheck?.Passive);
        Ranges.Percent(r, s.Field("panicThreshold"), spec.PanicThreshold);
        Ranges.Positive(r, s.Field("slowStart"), spec.SlowStart);
        Ranges.Positive(r, s.Field("drainTimeout"), spec.DrainTimeout);
        Ranges.Positive(r, s.Field("connectTimeout"), spec.ConnectTimeout);
        var affinity = AffinityRules.Compile(r, s.Field("sessionAffinity"), spec.SessionAffinity);
        var tls = BackendTlsRules.Compile(r, s.Field("tls"), spec.Tls, pool.NamespaceOrDefault, input);
        var breaker = CircuitBreaker(r, s.Field("circuitBreaker"), spec.CircuitBreaker);
        // PROXY v1 is a text line in front of a byte stream; it has no datagram form, so a UDP pool would
        // silently send no header at all.
        if (spec.Protocol == PoolProtocol.UDP && spec.ProxyProtocol == ProxyProtocolVersion.V1)
            r.Error(s.Field("proxyProtocol"), "V1 has no UDP form: use V2 (a binary header in front of every datagram) or None");

        var snapshot = new PoolSnapshot
        {
            Id = $"{pool.NamespaceOrDefault}/{pool.Metadata.Name}",
            Protocol = spec.Protocol,
            LoadBalancing = lb,
            Endpoints = endpoints.ToImmutable(),
            ActiveHealth = active,
            PassiveHealth = passive,
            PanicThresholdPercent = spec.PanicThreshold ?? Defaults.PanicThresholdPercent,
            SlowStart = spec.SlowStart?.Value,
            DrainTimeout = spec.DrainTimeout?.Value ?? Defaults.DrainTimeout,
            ConnectTimeout = spec.ConnectTimeout?.Value ?? Defaults.ConnectTimeout,
            SessionAffinity = affinity,
            Tls = tls,
            CircuitBreaker = breaker,
            ProxyProtocol = spec.ProxyProtocol ?? ProxyProtocolVersion.None,
        };
        return new Result(snapshot, counts);
    }

    private static void StaticEndpoints(ResourceReport r, FieldPath field, List<StaticEndpoint>? list, ImmutableArray<EndpointSnapshot>.Builder into, EndpointCounts counts)
    {
        if (list is null) return;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var e = list[i];
            var at = field.Index(i);
            Ranges.Check(r, at.Field("weight"), e.Weight, 1, 1000);
            if (!EndpointAddress.TryParse(e.Address, out var host, out var port, out var error))
            {
                r.Error(at.Field("address"), error);
                continue;
            }
            var endpoint = new EndpointSnapshot { Host = host, Port = port, Weight = e.Weight, Backup = e.Backup, Draining = e.Draining };
            if (!seen.TryAdd(endpoint.Id, i))
            {
                r.Error(at.Field("address"), $"{endpoint.Id} is already listed at {field.Index(seen[endpoint.Id])}");
                continue;
            }
            into.Add(endpoint);
            counts.Total++;
            if (e.Draining) counts.Draining++; else counts.Ready++;
        }
    }

    /// <summary>
    /// EndpointSlice semantics: ready → takes traffic; not ready but serving and terminating → draining
    /// (finishes work, used only when nothing else is left); anything else is not an endpoint.
    /// </summary>
    private static void ServiceEndpoints(ResourceReport r, FieldPath field, ServiceReference svc, string ns, CompilerInput input,
        ImmutableArray<EndpointSnapshot>.Builder into, EndpointCounts counts)
    {
        if (string.IsNullOrEmpty(svc.Name)) { r.Error(field.Field("name"), "required"); return; }
        if ((svc.Port is null) == (svc.PortName is null)) { r.Error(field, "exactly one of port or portName is required"); return; }
        Ranges.Port(r, field.Field("port"), svc.Port);
        var id = $"{ns}/{svc.Name}";
        if (!input.Services.TryGetValue(id, out var resolved))
        {
            r.UnresolvedClusterObject(input, ConditionReasons.ServiceNotFound, field.Field("name"), $"Service \"{svc.Name}\" not found in namespace \"{ns}\"");
            return;
        }
        var port = resolved.Ports.FirstOrDefault(p => svc.Port is { } n ? p.Port == n : p.Name == svc.PortName);
        if (port is null)
        {
            var which = svc.Port is { } n ? field.Field("port") : field.Field("portName");
            var known = string.Join(", ", resolved.Ports.Select(p => p.Name is null ? $"{p.Port}" : $"{p.Port} ({p.Name})"));
            r.Unresolved(ConditionReasons.ServicePortNotFound, which, $"Service \"{id}\" has no port {(object?)svc.Port ?? svc.PortName}; it has: {known}");
            return;
        }
        foreach (var e in port.Endpoints.OrderBy(e => e.Address, StringComparer.Ordinal).ThenBy(e => e.Port))
        {
            counts.Total++;
            var draining = !e.Ready && e.Serving && e.Terminating;
            if (!e.Ready && !draining) continue;
            if (e.Ready) counts.Ready++; else counts.Draining++;
            into.Add(new EndpointSnapshot { Host = e.Address.ToLowerInvariant(), Port = e.Port, Draining = draining });
        }
    }

    private static CircuitBreakerSnapshot? CircuitBreaker(ResourceReport r, FieldPath field, CircuitBreakerSpec? spec)
    {
        if (spec is null) return null;
        Ranges.Check(r, field.Field("maxConnections"), spec.MaxConnections, 1, int.MaxValue);
        Ranges.Check(r, field.Field("maxPendingRequests"), spec.MaxPendingRequests, 0, int.MaxValue);
        Ranges.Check(r, field.Field("maxRequests"), spec.MaxRequests, 1, int.MaxValue);
        Ranges.Check(r, field.Field("maxRetries"), spec.MaxRetries, 0, int.MaxValue);
        return new CircuitBreakerSnapshot
        {
            MaxConnections = spec.MaxConnections,
            MaxPendingRequests = spec.MaxPendingRequests,
            MaxRequests = spec.MaxRequests,
            MaxRetries = spec.MaxRetries,
        };
    }
}
