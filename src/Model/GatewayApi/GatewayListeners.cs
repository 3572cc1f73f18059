using Ballast.Model.Compilation;
using Ballast.Model.Compilation.Rules;
using Ballast.Model.Inputs;
using Ballast.Model.Resources.GatewayApi;
using Ballast.Model.Snapshots;

namespace Ballast.Model.GatewayApi;

/// <summary>
/// A Gateway's listeners checked on their own and against each other: protocol, hostname, TLS certificates (with
/// ReferenceGrants for other namespaces), allowed route kinds, and conflicts between listeners on one port
/// (another protocol: ProtocolConflict; the same hostname: HostnameConflict). The earlier listener keeps the port.
/// </summary>
internal static class GatewayListeners
{
    public static readonly RouteGroupKind HttpRouteKind = new() { Group = GatewayApiGroup.Group, Kind = HttpRoute.KindName };
    public static readonly RouteGroupKind GrpcRouteKind = new() { Group = GatewayApiGroup.Group, Kind = GrpcRoute.KindName };

    public static GatewayState Compile(Gateway gateway, ResourceReport report, int order, FrontEndContext context, ReferenceGrants grants)
    {
        var state = new GatewayState(gateway, report, order)
        {
            Addresses = [.. (gateway.Spec.Addresses ?? []).Where(a => a.Type is null or "IPAddress").Select(a => a.Value)],
        };
        var field = FieldPath.Spec.Field("listeners");
        for (var i = 0; i < gateway.Spec.Listeners.Count; i++)
            state.Listeners.Add(Listener(gateway, report, gateway.Spec.Listeners[i], i, field.Index(i), context, grants));
        Conflicts(state);
        return state;
    }

    private static ListenerState Listener(Gateway gateway, ResourceReport report, GatewayListener l, int index, FieldPath at, FrontEndContext context, ReferenceGrants grants)
    {
        string? hostname = null;
        var accepted = new ConditionValue(true, "Accepted");
        if (l.Hostname is { } h)
        {
            hostname = Names.NormalizeHost(h, allowWildcard: true);
            if (hostname is null) accepted = new(false, "UnsupportedValue", $"hostname \"{h}\" is not a valid host name");
        }
        if (l.Port is < 1 or > 65535) accepted = new(false, "UnsupportedValue", $"port must be between 1 and 65535, got {l.Port}");
        var tlsMode = l.Tls?.Mode ?? GatewayTlsMode.Terminate;
        ListenerKind? kind = l.Protocol switch
        {
            "HTTP" => ListenerKind.Http,
            "HTTPS" => ListenerKind.Https,
            "TLS" when tlsMode == GatewayTlsMode.Passthrough => ListenerKind.TlsPassthrough,
            "TCP" => ListenerKind.Tcp,
            "UDP" => ListenerKind.Udp,
            _ => null,
        };
        if (kind is null)
            accepted = new(false, "UnsupportedProtocol", l.Protocol == "TLS"
                ? "TLS listeners pass TLS through by SNI here (tls.mode: Passthrough); terminate with protocol HTTPS"
                : $"protocol \"{l.Protocol}\" is not supported (HTTP, HTTPS, TLS, TCP, UDP)");
        if (kind == ListenerKind.Https && tlsMode == GatewayTlsMode.Passthrough)
        {
            kind = null;
            accepted = new(false, "UnsupportedValue", "an HTTPS listener terminates TLS; use protocol TLS for passthrough");
        }

        var state = new ListenerState(l, index, at) { Hostname = hostname, Kind = kind, Accepted = accepted };
        if (kind is not null) Kinds(state, l);
        if (kind == ListenerKind.Https) Certificates(gateway, report, state, at, context, grants);
        if (!state.Accepted.Ok) report.Warn(state.Accepted.Reason, at, state.Accepted.Message);
        if (!state.ResolvedRefs.Ok) report.Warn(state.ResolvedRefs.Reason, at, state.ResolvedRefs.Message);
        return state;
    }

    /// <summary>The route kinds a listener takes: those its protocol serves, narrowed by <c>allowedRoutes.kinds</c>.</summary>
    private static void Kinds(ListenerState state, GatewayListener l)
    {
        List<string> served = state.Kind switch
        {
            ListenerKind.Http or ListenerKind.Https => [HttpRoute.KindName, GrpcRoute.KindName],
            ListenerKind.TlsPassthrough => [TlsRoute.KindName],
            ListenerKind.Tcp => [TcpRoute.KindName],
            _ => [UdpRoute.KindName],
        };
        if (l.AllowedRoutes?.Kinds is not { Count: > 0 } asked)
        {
            state.SupportedKinds.AddRange(served.Select(k => new RouteGroupKind { Group = GatewayApiGroup.Group, Kind = k }));
            return;
        }
        var invalid = new List<string>();
        foreach (var k in asked)
        {
            var group = k.Group ?? GatewayApiGroup.Group;
            if (group == GatewayApiGroup.Group && served.Contains(k.Kind)) state.SupportedKinds.Add(new RouteGroupKind { Group = group, Kind = k.Kind });
            else invalid.Add(group.Length == 0 ? k.Kind : $"{k.Kind}.{group}");
        }
        if (invalid.Count > 0)
            state.ResolvedRefs = new(false, "InvalidRouteKinds", $"route kinds this {l.Protocol} listener cannot serve: {string.Join(", ", invalid)}");
    }

    private static void Certificates(Gateway gateway, ResourceReport report, ListenerState state, FieldPath at, FrontEndContext context, ReferenceGrants grants)
    {
        var refs = state.Spec.Tls?.CertificateRefs ?? [];
        var tlsField = at.Field("tls").Field("certificateRefs");
        if (refs.Count == 0)
        {
            state.ResolvedRefs = new(false, "InvalidCertificateRef", "an HTTPS listener needs tls.certificateRefs");
            return;
        }
        var certificates = System.Collections.Immutable.ImmutableArray.CreateBuilder<ListenerCertificateSnapshot>();
        for (var i = 0; i < refs.Count; i++)
        {
            var c = refs[i];
            var ns = string.IsNullOrEmpty(c.Namespace) ? gateway.NamespaceOrDefault : c.Namespace!;
            if ((c.Group ?? "") != "" || (c.Kind ?? "Secret") != "Secret")
            {
                state.ResolvedRefs = new(false, "InvalidCertificateRef", $"{tlsField.Index(i)}: only Secrets hold certificates, got {c.Kind}.{c.Group}");
                continue;
            }
            if (!grants.Permits(GatewayApiGroup.Group, Gateway.KindName, gateway.NamespaceOrDefault, "", "Secret", ns, c.Name))
            {
                state.ResolvedRefs = new(false, "RefNotPermitted", $"{tlsField.Index(i)}: Secret {ns}/{c.Name} is in another namespace and no ReferenceGrant there allows it");
                continue;
            }
            if (!context.Input.Secrets.TryGetValue($"{ns}/{c.Name}", out var secret))
            {
                state.ResolvedRefs = new(false, "InvalidCertificateRef", $"{tlsField.Index(i)}: Secret {ns}/{c.Name} not found");
                continue;
            }
            // The native rules check that the PEM pair loads; a failure lands in a scratch report and becomes the condition.
            var scratch = new ResourceReport(gateway);
            ListenerTlsRules.Add(scratch, tlsField.Index(i), $"secret {ns}/{c.Name}", secret, secret, certificates);
            if (scratch.Problems.FirstOrDefault() is { } p) state.ResolvedRefs = new(false, "InvalidCertificateRef", $"{p.Diagnostic.FieldPath}: {p.Diagnostic.Message}");
        }
        if (certificates.Count > 0)
            state.Tls = new ListenerTlsSnapshot { Certificates = certificates.ToImmutable(), Hostnames = state.Hostname is null ? [] : [state.Hostname] };
    }

    /// <summary>Listeners on one port: same protocol family, different hostnames. The later one is the conflicted one.</summary>
    private static void Conflicts(GatewayState state)
    {
        foreach (var group in state.Listeners.Where(l => l.Accepted.Ok && l.Kind is not null).GroupBy(l => l.Spec.Port))
        {
            var first = group.First();
            var hosts = new Dictionary<string, ListenerState>(StringComparer.Ordinal);
            foreach (var l in group)
            {
                var shareable = l.Kind is ListenerKind.Http or ListenerKind.Https or ListenerKind.TlsPassthrough;
                if (l != first && (l.Kind != first.Kind || !shareable))
                    l.Conflicted = new(true, "ProtocolConflict", $"port {l.Spec.Port} is already {first.Spec.Protocol} on listener \"{first.Spec.Name}\"");
                else if (!hosts.TryAdd(l.Hostname ?? "", l))
                    l.Conflicted = new(true, "HostnameConflict", $"listener \"{hosts[l.Hostname ?? ""].Spec.Name}\" already serves {(l.Hostname ?? "every host")} on port {l.Spec.Port}");
                if (l.Conflicted.Ok) state.Report.Warn(l.Conflicted.Reason, l.Field, l.Conflicted.Message);
            }
        }
    }
}
