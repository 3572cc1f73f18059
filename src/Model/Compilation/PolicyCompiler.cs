using System.Collections.Immutable;
using System.Globalization;
using Ballast.Model.Compilation.Rules;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation;

/// <summary>
/// One LoadBalancerPolicy on its own: listeners and routes checked, backends resolved against the pools.
/// A route whose pools are missing or unusable is dropped (ResolvedRefs=False); the rest stands.
/// </summary>
internal sealed class PolicyCompiler(CompilerInput input, IReadOnlyDictionary<string, PoolSnapshot?> pools)
{
    public void Compile(CompiledPolicy into)
    {
        var policy = into.Policy;
        var r = into.Report;
        var spec = policy.Spec;
        var s = FieldPath.Spec;

        Listeners(r, s.Field("listeners"), spec.Listeners, into.Listeners);
        into.Traffic = Attachment(r, s, spec, into.Order);
        if ((spec.Listeners?.Count ?? 0) == 0 && spec.TargetRefs is null && spec.Traffic is null)
            r.Error(s.Field("listeners"), "at least one listener is required (or targetRefs and traffic, for Gateway API routes)");
        var byName = new Dictionary<string, CompiledListener>(StringComparer.Ordinal);
        foreach (var l in into.Listeners) byName.TryAdd(l.Spec.Name, l); // duplicates are already an error

        var routeNames = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < (spec.Routes?.Count ?? 0); i++)
        {
            var field = s.Field("routes").Index(i);
            var route = spec.Routes![i];
            if (route.Name is { } name && !routeNames.TryAdd(name, i))
                r.Error(field.Field("name"), $"\"{name}\" is already the name of spec.routes[{routeNames[name]}]");
            var compiled = HttpRoute(r, field, route, i, byName, policy);
            if (compiled is not null)
            {
                into.Routes.Add(compiled);
                into.Splits.Add(new RouteSplitStatus { Route = compiled.Route.Id, Split = Split(compiled.Route.Backends) });
            }
        }
        for (var i = 0; i < (spec.TcpRoutes?.Count ?? 0); i++)
        {
            var compiled = L4Route(r, s.Field("tcpRoutes").Index(i), spec.TcpRoutes![i], i, byName, policy);
            if (compiled is not null)
            {
                into.L4Routes.Add(compiled);
                into.Splits.Add(new RouteSplitStatus { Route = compiled.Route.Id, Split = Split(compiled.Route.Backends) });
            }
        }
        L4Exclusivity(r, into.L4Routes, byName);
    }

    /// <summary>Kinds a policy's <c>targetRefs</c> may name (group gateway.networking.k8s.io), in the policy's namespace.</summary>
    private static readonly string[] TargetKinds = ["HTTPRoute", "GRPCRoute", "Gateway"];

    /// <summary>
    /// Policy attachment: <c>spec.traffic</c> (rate limit, authentication, access control) for the Gateway API routes the
    /// <c>targetRefs</c> name, or the routes of the Gateways they name. The two come together; null when neither is set.
    /// </summary>
    private TrafficAttachment? Attachment(ResourceReport r, FieldPath s, LoadBalancerPolicySpec spec, int order)
    {
        if (spec.TargetRefs is null && spec.Traffic is null) return null;
        if (spec.Traffic is null) { r.Error(s.Field("traffic"), "required with targetRefs: the rate limit, auth or access control the targets get"); return null; }
        if (spec.TargetRefs is not { Count: > 0 }) { r.Error(s.Field("targetRefs"), "required with traffic: the HTTPRoutes, GRPCRoutes or Gateways it applies to"); return null; }
        var targets = ImmutableArray.CreateBuilder<(PolicyTargetReference, FieldPath)>();
        for (var i = 0; i < spec.TargetRefs.Count; i++)
        {
            var t = spec.TargetRefs[i];
            var at = s.Field("targetRefs").Index(i);
            if (t.Group != Resources.GatewayApi.GatewayApiGroup.Group || !TargetKinds.Contains(t.Kind))
                r.Error(at, $"only {string.Join(", ", TargetKinds)} of group {Resources.GatewayApi.GatewayApiGroup.Group} can be targeted, got {t.Group}/{t.Kind}");
            else if (string.IsNullOrEmpty(t.Name)) r.Error(at.Field("name"), "required");
            else targets.Add((t, at));
        }
        var traffic = RouteTraffic.Compile(r, s.Field("traffic"), spec.Traffic.RateLimit, spec.Traffic.Auth, spec.Traffic.AccessControl, input);
        return new TrafficAttachment(r, r.Key.Namespace, targets.ToImmutable(), traffic, order);
    }

    private void Listeners(ResourceReport r, FieldPath field, List<ListenerSpec>? list, List<CompiledListener> into)
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var ports = new Dictionary<int, int>();
        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            var l = list![i];
            var at = field.Index(i);
            if (!Names.IsToken(l.Name)) r.Error(at.Field("name"), l.Name.Length == 0 ? "required" : $"\"{l.Name}\" is not a valid name");
            else if (!names.TryAdd(l.Name, i)) r.Error(at.Field("name"), $"duplicate listener name \"{l.Name}\" (also {field.Index(names[l.Name])})");
            if (l.Port is < 1 or > 65535) r.Error(at.Field("port"), $"must be between 1 and 65535, got {l.Port}");
            else if (!ports.TryAdd(l.Port, i)) r.Error(at.Field("port"), $"duplicate port {l.Port} (also {field.Index(ports[l.Port])})");
            if (l.Address is { } addr && !Names.IsIp(addr)) r.Error(at.Field("address"), $"\"{addr}\" is not an IP address");
            var hostnames = MatchRules.Hosts(r, at.Field("hostnames"), l.Hostnames);
            Ranges.Check(r, at.Field("maxConnections"), l.MaxConnections, 1, int.MaxValue);
            ListenerTls(r, at, l);
            var kind = l.Protocol switch
            {
                ListenerProtocol.HTTP => ListenerKind.Http,
                ListenerProtocol.HTTPS => ListenerKind.Https,
                ListenerProtocol.TCP => ListenerKind.Tcp,
                ListenerProtocol.UDP => ListenerKind.Udp,
                _ => ListenerKind.TlsPassthrough,
            };
            var access = TrafficPolicyRules.AccessControl(r, at.Field("accessControl"), l.AccessControl);
            if (access is not null && kind is not (ListenerKind.Http or ListenerKind.Https))
                r.Error(at.Field("accessControl"), $"only HTTP and HTTPS listeners take accessControl (this one is {l.Protocol})");
            var strip = ShapingRules.HeaderPrefixes(r, at.Field("stripRequestHeaderPrefixes"), l.StripRequestHeaderPrefixes, kind);
            var accessLog = AccessLogRules.Compile(r, at.Field("accessLog"), l.AccessLog);
            if (l.AccessLog is not null && kind is not (ListenerKind.Http or ListenerKind.Https))
                r.Error(at.Field("accessLog"), $"only HTTP and HTTPS listeners take accessLog (this one is {l.Protocol})");
            into.Add(new CompiledListener(l, at, kind, l.Address ?? "0.0.0.0", hostnames,
                ListenerTlsRules.Compile(r, at.Field("tls"), l, hostnames, input), access, strip, accessLog));
        }
    }

    private void ListenerTls(ResourceReport r, FieldPath at, ListenerSpec l)
    {
        var tls = l.Tls;
        var tlsField = at.Field("tls");
        switch (l.Protocol)
        {
            case ListenerProtocol.HTTP or ListenerProtocol.TCP or ListenerProtocol.UDP when tls is not null:
                r.Error(tlsField, $"only HTTPS and TLS listeners take tls (this one is {l.Protocol})");
                return;
            case ListenerProtocol.HTTPS when tls is null || (tls.Certificates is not { Count: > 0 } && tls.Acme is null):
                r.Error(tlsField, "an HTTPS listener needs tls.certificates or tls.acme");
                return;
            case ListenerProtocol.HTTPS when tls!.Mode == TlsMode.Passthrough:
                r.Error(tlsField.Field("mode"), "HTTPS listeners terminate TLS; use protocol TLS for passthrough");
                return;
            case ListenerProtocol.TLS when tls is not null && tls.Mode != TlsMode.Passthrough:
                r.Error(tlsField.Field("mode"), "TLS listeners pass TLS through by SNI; set mode: Passthrough (terminate with HTTPS)");
                return;
        }
        if (tls is null) return;
        Ranges.Positive(r, tlsField.Field("hsts"), tls.Hsts);
        if (tls.Acme is { } acme && !Uri.TryCreate(acme.Directory, UriKind.Absolute, out _))
            r.Error(tlsField.Field("acme").Field("directory"), $"expected an absolute URL, got \"{acme.Directory}\"");
        for (var i = 0; i < (tls.Certificates?.Count ?? 0); i++)
        {
            var c = tls.Certificates![i];
            var cf = tlsField.Field("certificates").Index(i);
            if ((c.SecretRef is null) == (c.CertificateFile is null)) r.Error(cf, "exactly one of secretRef or certificateFile/keyFile is required");
            else if ((c.CertificateFile is null) != (c.KeyFile is null)) r.Error(cf, "certificateFile and keyFile go together");
            var ns = r.Key.Namespace;
            if (c.SecretRef is { } secret && !input.Secrets.ContainsKey($"{ns}/{secret}"))
                r.UnresolvedClusterObject(input, ConditionReasons.SecretNotFound, cf.Field("secretRef"), $"Secret \"{secret}\" not found in namespace \"{ns}\"");
        }
    }

    private CompiledRoute? HttpRoute(ResourceReport r, FieldPath field, HttpRouteSpec route, int index,
        Dictionary<string, CompiledListener> listeners, LoadBalancerPolicy policy)
    {
        var before = r.Count;
        var match = MatchRules.Compile(r, field.Field("match"), route.Match);
        Ranges.Positive(r, field.Field("timeout"), route.Timeout);
        Ranges.Positive(r, field.Field("idleTimeout"), route.IdleTimeout);
        Ranges.Check(r, field.Field("maxRequestBodyBytes"), route.MaxRequestBodyBytes, 0, long.MaxValue);
        var rewrite = ShapingRules.Rewrite(r, field.Field("rewrite"), route.Rewrite, match);
        var redirect = ShapingRules.Redirect(r, field.Field("redirect"), route.Redirect, match);
        var retries = RouteOptionRules.Retries(r, field.Field("retries"), route.Retries);
        var request = RouteOptionRules.Headers(r, field.Field("requestHeaders"), route.RequestHeaders);
        var response = RouteOptionRules.Headers(r, field.Field("responseHeaders"), route.ResponseHeaders);
        var attach = AttachTo(r, field.Field("listeners"), route.Listeners, listeners, http: true);
        var traffic = RouteTraffic.Compile(r, field, route.RateLimit, route.Auth, route.AccessControl, input);
        var accessLog = AccessLogRules.Compile(r, field.Field("accessLog"), route.AccessLog);
        var cors = ResponseRules.Cors(r, field.Field("cors"), route.Cors);

        var resolved = true;
        // A redirect route answers by itself: it has nothing to forward to.
        var backends = redirect is null ? Backends(r, field.Field("backends"), route.Backends, policy, http: true, ref resolved) : [];
        if (redirect is not null && route.Backends is { Count: > 0 })
            r.Error(field.Field("backends"), "a route with a redirect answers by itself: remove backends (or the redirect)");
        if (redirect is not null && route.Canary is not null)
            r.Error(field.Field("canary"), "a route with a redirect answers by itself: remove the canary (or the redirect)");
        CanarySnapshot? canary = null;
        if (route.Canary is { } c && redirect is null)
        {
            var cf = field.Field("canary");
            if (c.Header is null && c.Cookie is null) r.Error(cf, "one of header or cookie is required");
            if (c.Header is { } h && !Names.IsToken(h.Name)) r.Error(cf.Field("header").Field("name"), $"\"{h.Name}\" is not a valid header name");
            if (c.Cookie is { } k && !Names.IsToken(k.Name)) r.Error(cf.Field("cookie").Field("name"), $"\"{k.Name}\" is not a valid cookie name");
            var poolId = Resolve(r, cf.Field("pool"), c.Pool, policy, http: true, ref resolved);
            canary = new CanarySnapshot
            {
                PoolId = poolId ?? "",
                HeaderName = c.Header?.Name,
                HeaderValue = c.Header?.Value,
                CookieName = c.Cookie?.Name,
                CookieValue = c.Cookie?.Value,
            };
        }
        ErrorResponsesSnapshot? errorResponses = null;
        if (route.ErrorResponses is { } er)
        {
            var ef = field.Field("errorResponses");
            var statuses = ResponseRules.ErrorStatuses(r, ef.Field("statuses"), er.Statuses ?? []);
            var errorPool = Resolve(r, ef.Field("pool"), er.Pool, policy, http: true, ref resolved);
            errorResponses = new ErrorResponsesSnapshot { Statuses = statuses, PoolId = errorPool ?? "" };
        }
        var mirrors = Mirrors(r, field.Field("mirrors"), route.Mirrors, redirect is not null, policy, ref resolved);
        if (r.Count != before || !resolved) return null;

        var ns = policy.NamespaceOrDefault;
        var id = $"{ns}/{policy.Metadata.Name}/{route.Name ?? $"routes[{index}]"}";
        var snapshot = new RouteSnapshot
        {
            Id = id,
            Match = match,
            Backends = backends,
            Canary = canary,
            Timeout = route.Timeout?.Value,
            IdleTimeout = route.IdleTimeout?.Value,
            MaxRequestBodyBytes = route.MaxRequestBodyBytes,
            Rewrite = rewrite,
            Redirect = redirect,
            Retries = redirect is null ? retries : null,
            RequestHeaders = request,
            ResponseHeaders = response,
            Cors = cors,
            ErrorResponses = errorResponses,
            Mirrors = mirrors,
            AccessLog = accessLog,
        };
        return new CompiledRoute(traffic.ApplyTo(snapshot), index, field, attach, MatchRules.Key(match), OverridesAccessLog: route.AccessLog is not null);
    }

    private CompiledL4Route? L4Route(ResourceReport r, FieldPath field, TcpRouteSpec route, int index,
        Dictionary<string, CompiledListener> listeners, LoadBalancerPolicy policy)
    {
        var before = r.Count;
        var attach = AttachTo(r, field.Field("listener"), [route.Listener], listeners, http: false);
        var hosts = MatchRules.Hosts(r, field.Field("hostnames"), route.Hostnames);
        if (hosts.Length > 0 && listeners.TryGetValue(route.Listener, out var l) && l.Kind != ListenerKind.TlsPassthrough)
            r.Error(field.Field("hostnames"), $"only TLS listeners route by SNI; listener \"{route.Listener}\" is {l.Spec.Protocol}");
        var resolved = true;
        var backends = Backends(r, field.Field("backends"), route.Backends, policy, http: false, ref resolved);
        if (r.Count != before || !resolved || attach.IsEmpty) return null;
        var id = $"{policy.NamespaceOrDefault}/{policy.Metadata.Name}/tcpRoutes[{index}]";
        return new CompiledL4Route(new L4RouteSnapshot { Id = id, Hostnames = hosts, Backends = backends }, index, field, route.Listener);
    }

    /// <summary>Route → listener names: the named ones (which must exist and carry the right protocol), or every fitting listener.</summary>
    private static ImmutableArray<string> AttachTo(ResourceReport r, FieldPath field, List<string>? names, Dictionary<string, CompiledListener> listeners, bool http)
    {
        static bool IsHttp(CompiledListener l) => l.Kind is ListenerKind.Http or ListenerKind.Https;
        if (names is null) return [.. listeners.Values.Where(l => IsHttp(l) == http).Select(l => l.Spec.Name)];
        var result = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < names.Count; i++)
        {
            var at = http ? field.Index(i) : field;
            if (!listeners.TryGetValue(names[i], out var l))
            {
                var known = string.Join(", ", listeners.Keys.Select(k => $"\"{k}\""));
                r.Error(at, $"no listener named \"{names[i]}\" in this policy (listeners: {(known.Length == 0 ? "none" : known)})");
            }
            else if (IsHttp(l) != http)
                r.Error(at, http
                    ? $"listener \"{l.Spec.Name}\" is {l.Spec.Protocol}: HTTP routes attach only to HTTP and HTTPS listeners (use tcpRoutes)"
                    : $"listener \"{l.Spec.Name}\" is {l.Spec.Protocol}: tcpRoutes attach only to TCP, UDP and TLS listeners (use routes)");
            else result.Add(l.Spec.Name);
        }
        return result.ToImmutable();
    }

    private ImmutableArray<BackendSnapshot> Backends(ResourceReport r, FieldPath field, List<WeightedBackend>? list, LoadBalancerPolicy policy, bool http, ref bool resolved)
    {
        if (list is not { Count: > 0 }) { r.Error(field, "at least one backend is required"); return []; }
        var result = ImmutableArray.CreateBuilder<BackendSnapshot>();
        var sum = 0;
        for (var i = 0; i < list.Count; i++)
        {
            var at = field.Index(i);
            var b = list[i];
            if (b.Weight is < 0 or > 1000) r.Error(at.Field("weight"), $"must be between 0 and 1000, got {b.Weight}");
            else sum += b.Weight;
            var id = Resolve(r, at.Field("pool"), b.Pool, policy, http, ref resolved);
            if (id is not null) result.Add(new BackendSnapshot(id, b.Weight));
        }
        if (sum == 0 && list.All(b => b.Weight is >= 0 and <= 1000)) r.Error(field, "the backend weights add up to 0: at least one must be above 0");
        return result.ToImmutable();
    }

    /// <summary>The route's mirrors: each pool resolved, each share a whole percent.</summary>
    private ImmutableArray<MirrorSnapshot> Mirrors(ResourceReport r, FieldPath field, List<RouteMirrorSpec>? list, bool redirects, LoadBalancerPolicy policy, ref bool resolved)
    {
        if (list is not { Count: > 0 }) return [];
        if (redirects)
        {
            r.Error(field, "a route with a redirect answers by itself: there is no request to copy (remove mirrors or the redirect)");
            return [];
        }
        var result = ImmutableArray.CreateBuilder<MirrorSnapshot>();
        for (var i = 0; i < list.Count; i++)
        {
            var at = field.Index(i);
            if (list[i].Percent is < 0 or > 100) r.Error(at.Field("percent"), $"must be between 0 and 100, got {list[i].Percent}");
            var id = Resolve(r, at.Field("pool"), list[i].Pool, policy, http: true, ref resolved);
            if (id is not null) result.Add(new MirrorSnapshot(id, list[i].Percent, 100));
        }
        return result.ToImmutable();
    }

    /// <summary>A pool name in the policy's namespace → the pool id, or null with a ResolvedRefs problem.</summary>
    private string? Resolve(ResourceReport r, FieldPath field, string pool, LoadBalancerPolicy policy, bool http, ref bool resolved)
    {
        var ns = policy.NamespaceOrDefault;
        if (string.IsNullOrEmpty(pool)) { r.Error(field, "required"); return null; }
        var id = $"{ns}/{pool}";
        if (!pools.TryGetValue(id, out var snapshot))
        {
            r.Unresolved(ConditionReasons.PoolNotFound, field, $"BackendPool \"{pool}\" not found in namespace \"{ns}\"");
            resolved = false;
            return null;
        }
        if (snapshot is null)
        {
            r.Unresolved(ConditionReasons.PoolInvalid, field, $"refers to invalid BackendPool \"{pool}\" in namespace \"{ns}\" (its own errors say why)");
            resolved = false;
            return null;
        }
        var l4Pool = snapshot.Protocol is PoolProtocol.TCP or PoolProtocol.UDP;
        if (http == l4Pool)
        {
            r.Unresolved(ConditionReasons.PoolProtocolMismatch, field, http
                ? $"BackendPool \"{pool}\" speaks {snapshot.Protocol}: only tcpRoutes may use TCP and UDP pools"
                : $"BackendPool \"{pool}\" speaks {snapshot.Protocol}: tcpRoutes need a TCP or UDP pool");
            resolved = false;
            return null;
        }
        return id;
    }

    /// <summary>A plain TCP/UDP listener has one destination; a TLS listener one per SNI name (and one default).</summary>
    private static void L4Exclusivity(ResourceReport r, List<CompiledL4Route> routes, Dictionary<string, CompiledListener> listeners)
    {
        var claimed = new Dictionary<(string Listener, string Host), CompiledL4Route>();
        foreach (var route in routes)
        {
            var hosts = route.Route.Hostnames.IsEmpty ? [""] : route.Route.Hostnames;
            foreach (var host in hosts)
            {
                if (claimed.TryGetValue((route.ListenerName, host), out var earlier))
                    r.Error(route.Field, host.Length == 0
                        ? $"listener \"{route.ListenerName}\" already has a route without hostnames ({earlier.Field})"
                        : $"SNI name \"{host}\" on listener \"{route.ListenerName}\" is already routed by {earlier.Field}");
                else claimed[(route.ListenerName, host)] = route;
            }
        }
    }

    /// <summary><c>orders-v1=90,orders-v2=10</c>: each pool's share of the traffic in percent.</summary>
    internal static string Split(ImmutableArray<BackendSnapshot> backends)
    {
        var total = backends.Sum(b => b.Weight);
        if (total == 0) return "";
        return string.Join(",", backends.Select(b =>
            $"{b.PoolId[(b.PoolId.IndexOf('/') + 1)..]}={Math.Round(100.0 * b.Weight / total, 1).ToString(CultureInfo.InvariantCulture)}"));
    }
}
