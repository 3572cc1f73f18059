using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Inputs;
using Ballast.Model.Resources;
using Ballast.Model.Resources.GatewayApi;
using Ballast.Model.Snapshots;

namespace Ballast.Model.GatewayApi;

/// <summary>
/// Gateway API as an input: GatewayClasses whose controllerName is Ballast's, their Gateways, the routes attached to
/// them and the ReferenceGrants that let references cross namespaces, translated into pools and one whole listener
/// per Gateway port. Statuses are the spec's (see <see cref="GatewayStatuses"/>).
/// </summary>
internal sealed class GatewayApiFrontEnd : IFrontEnd
{
    private const string G = GatewayApiGroup.Group;

    public string Name => "Gateway API";

    public ImmutableArray<InputGroup> Groups { get; } =
    [
        new(G, UnknownKinds.Warn,
        [
            new(G, GatewayClass.KindName, ["v1", "v1beta1"], typeof(GatewayClass), ClusterScoped: true),
            new(G, Gateway.KindName, ["v1", "v1beta1"], typeof(Gateway)),
            new(G, HttpRoute.KindName, ["v1", "v1beta1"], typeof(HttpRoute)),
            new(G, GrpcRoute.KindName, ["v1"], typeof(GrpcRoute)),
            new(G, ReferenceGrant.KindName, ["v1", "v1beta1"], typeof(ReferenceGrant)),
            new(G, TlsRoute.KindName, ["v1", "v1alpha3", "v1alpha2"], typeof(TlsRoute)),
            new(G, TcpRoute.KindName, ["v1", "v1alpha2"], typeof(TcpRoute)),
            new(G, UdpRoute.KindName, ["v1", "v1alpha2"], typeof(UdpRoute)),
        ]),
    ];

    public FrontEndTranslation Translate(FrontEndContext context)
    {
        var classes = context.OfType<GatewayClass>().Where(c => c.Resource.Spec.ControllerName == GatewayApiGroup.ControllerName).ToList();
        var ours = classes.Select(c => c.Resource.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var grants = new ReferenceGrants(context.OfType<ReferenceGrant>().Select(g => g.Resource));

        var gateways = new Dictionary<(string, string), GatewayState>();
        var order = 0;
        foreach (var (gateway, report) in context.OfType<Gateway>())
            if (ours.Contains(gateway.Spec.GatewayClassName))
                gateways[(gateway.NamespaceOrDefault, gateway.Metadata.Name)] = GatewayListeners.Compile(gateway, report, order++, context, grants);

        var routes = new List<RouteResult>();
        FrontEndTranslation? translation = null;
        translation = new FrontEndTranslation { Statuses = refused => GatewayStatuses.Build(classes, gateways.Values, routes, translation!, refused) };
        var resolver = new BackendResolver(context, grants, translation);
        var policies = new PolicyAttachment(context.Traffic);
        var routeOrder = 0;
        foreach (var (route, report) in context.OfType<GatewayRoute>())
        {
            var outcomes = RouteAttachment.Attach(route, gateways, context.Input.NamespaceLabels);
            if (outcomes.Count == 0) continue; // no parent of Ballast's: not ours to judge
            var result = new RouteResult(route, report, outcomes, new RouteProblems());
            routes.Add(result);
            Place(result, resolver, policies, routeOrder++, context.Input);
            foreach (var (reason, message) in result.Problems.Unsupported.Concat(result.Problems.Unresolved).Distinct())
            {
                // The route's problems read "spec.rules[0]...: what" (the wording its status conditions carry); as a
                // diagnostic the path is the field, so validate can point at its line.
                var (field, text) = SplitFieldPath(message);
                report.Warn(reason, new FieldPath(field), text);
            }
        }

        policies.ReportMissing(gateways.Values, routes.Select(r => r.Route));
        foreach (var gateway in gateways.Values)
        {
            foreach (var port in gateway.Listeners.Where(l => l.Usable).GroupBy(l => l.Spec.Port))
                translation.Ports.Add(new PortClaim(gateway.Gateway, gateway.Report, port.First().Field.Field("port"), Listener(gateway, [.. port])));
            translation.Generations[gateway.Report.Key] = gateway.Gateway.Metadata.Generation ?? 0;
        }
        foreach (var r in routes.Where(r => r.Placed)) translation.Generations[r.Report.Key] = r.Route.Metadata.Generation ?? 0;
        return translation;
    }

    private static void Place(RouteResult result, BackendResolver resolver, PolicyAttachment policies, int routeOrder, CompilerInput input)
    {
        var route = result.Route;
        var problems = result.Problems;
        List<HttpRouteTranslator.Rule>? rules = null;
        var l4 = ImmutableArray<BackendSnapshot>.Empty;
        switch (route)
        {
            case HttpRoute http: rules = HttpRouteTranslator.Rules(http, resolver, problems); break;
            case GrpcRoute grpc: rules = GrpcRouteTranslator.Rules(grpc, resolver, problems); break;
            case TlsRoute tls: l4 = L4RouteTranslator.Backends(route, tls.Spec.Rules, resolver, problems); break;
            case TcpRoute tcp: l4 = L4RouteTranslator.Backends(route, tcp.Spec.Rules, resolver, problems); break;
            case UdpRoute udp: l4 = L4RouteTranslator.Backends(route, udp.Spec.Rules, resolver, problems); break;
        }
        if (problems.Unsupported.Count > 0) return; // not accepted: nothing of it is served

        foreach (var on in result.Outcomes.SelectMany(o => o.Listeners))
        {
            bool placed;
            if (rules is not null)
            {
                var hosts = Isolation.HostsOf(on);
                placed = hosts is not null;
                if (placed)
                    foreach (var rule in rules)
                        on.Listener.Routes.AddRange(HttpRouteTranslator.Place(rule, on, input.PublicPort(on.Listener.Spec.Port), hosts!.Value, routeOrder, problems, policies.For(route, on.Gateway)));
            }
            else placed = L4RouteTranslator.Place(route, on, l4);
            if (placed) { on.Listener.AttachedRoutes++; result.Placed = true; }
        }
    }

    /// <summary>The listeners of one Gateway on one port as one listener of the snapshot.</summary>
    private static ListenerSnapshot Listener(GatewayState gateway, List<ListenerState> listeners)
    {
        var first = listeners[0];
        var entries = listeners.SelectMany(l => l.Routes).Concat(Isolation.Catchers(gateway, listeners));
        var tls = listeners.Where(l => l.Tls is not null).Select(l => l.Tls!).ToList();
        return new ListenerSnapshot
        {
            Name = $"{gateway.Gateway.NamespaceOrDefault}/{gateway.Gateway.Metadata.Name}/{first.Spec.Name}",
            Address = gateway.Addresses.FirstOrDefault() ?? "0.0.0.0",
            Port = first.Spec.Port,
            Kind = first.Kind!.Value,
            Routes = [.. RoutePrecedence.Order(entries)],
            L4Routes = [.. listeners.SelectMany(l => l.L4Routes)],
            Tls = tls.Count == 0 ? null : new ListenerTlsSnapshot
            {
                Certificates = [.. tls.SelectMany(t => t.Certificates)],
                Hostnames = listeners.Any(l => l.Hostname is null) ? [] : [.. listeners.Select(l => l.Hostname!).Distinct()],
                SniListeners = tls.Count < 2 ? [] : [.. listeners.Select(l => l.Hostname ?? "")],
            },
        };
    }

    /// <summary>"spec.rules[0].x: what" → ("spec.rules[0].x", "what"); a message without a leading path → ("spec", message).</summary>
    private static (string Field, string Message) SplitFieldPath(string message)
    {
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && message.StartsWith("spec", StringComparison.Ordinal) && !message[..colon].Contains(' ', StringComparison.Ordinal)
            ? (message[..colon], message[(colon + 2)..])
            : ("spec", message);
    }
}

/// <summary>A route this front-end judged: where it attached, what was wrong, and whether any of it is served.</summary>
internal sealed class RouteResult(GatewayRoute route, ResourceReport report, List<ParentOutcome> outcomes, RouteProblems problems)
{
    public GatewayRoute Route { get; } = route;
    public ResourceReport Report { get; } = report;
    public List<ParentOutcome> Outcomes { get; } = outcomes;
    public RouteProblems Problems { get; } = problems;
    public bool Placed { get; set; }
}
