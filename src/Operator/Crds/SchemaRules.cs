namespace Ballast.Operator.Crds;

/// <summary>
/// What the C# types cannot say by themselves: numeric bounds, list limits, and cross-field rules as CEL
/// (<c>x-kubernetes-validations</c>) so the API server rejects a bad resource at <c>kubectl apply</c>, before
/// the operator sees it. The Compiler checks the same rules again (standalone mode has no API server).
/// </summary>
internal static class SchemaRules
{
    /// <summary>Bounds by <c>Type.Property</c>, or by property name alone when it means the same everywhere.</summary>
    public static readonly Dictionary<string, (long? Min, long? Max)> Bounds = new()
    {
        ["Port"] = (1, 65535),
        ["ServiceReference.Port"] = (1, 65535),
        ["Weight"] = (0, 1000),
        ["PanicThreshold"] = (0, 100),
        ["MaxEjectionPercent"] = (0, 100),
        ["JitterPercent"] = (0, 100),
        ["BudgetPercent"] = (0, 100),
        ["RouteMirrorSpec.Percent"] = (0, 100),
        ["Attempts"] = (0, 10),
        ["VirtualNodes"] = (1, 10000),
        ["TableSize"] = (3, 1048573),
        ["UnhealthyThreshold"] = (1, 100),
        ["HealthyThreshold"] = (1, 100),
        ["ConsecutiveFailures"] = (1, 1000),
        ["MaxConnections"] = (1, null),
        ["MaxPendingRequests"] = (0, null),
        ["MaxRequests"] = (1, null),
        ["MaxRetries"] = (0, null),
        ["MaxRequestBodyBytes"] = (0, null),
        ["RedirectSpec.StatusCode"] = (301, 308),
    };

    /// <summary>Upper bounds on list sizes: the API server's CEL cost estimate needs them, and they stop runaway specs.</summary>
    public static readonly Dictionary<string, int> MaxItems = new()
    {
        ["LoadBalancerPolicySpec.Listeners"] = 64,
        ["LoadBalancerPolicySpec.Routes"] = 1024,
        ["LoadBalancerPolicySpec.TcpRoutes"] = 256,
        ["HttpRouteSpec.Backends"] = 16,
        ["HttpRouteSpec.Mirrors"] = 16,
        ["TcpRouteSpec.Backends"] = 16,
        ["BackendPoolSpec.Endpoints"] = 1024,
    };

    /// <summary>
    /// Required strings that may be empty: a condition's message (Kubernetes' own <c>metav1.Condition</c> allows ""),
    /// which the operator leaves empty on a True condition.
    /// </summary>
    public static readonly HashSet<string> MayBeEmpty = ["Condition.Message"];

    /// <summary>Lists whose items are identified by a key field (<c>x-kubernetes-list-type: map</c>): duplicates are rejected.</summary>
    public static readonly Dictionary<string, string> ListMapKeys = new()
    {
        ["LoadBalancerPolicySpec.Listeners"] = "name",
    };

    public sealed record Rule(string Expression, string Message);

    /// <summary>CEL rules on an object type, evaluated with <c>self</c> bound to that object.</summary>
    public static readonly Dictionary<string, Rule[]> Validations = new()
    {
        ["RouteMatchSpec"] =
        [
            new("[has(self.path), has(self.pathPrefix), has(self.pathRegex)].filter(x, x).size() <= 1",
                "at most one of path, pathPrefix, pathRegex may be set"),
        ],
        ["HashKeySpec"] =
        [
            new("[has(self.clientIp), has(self.header), has(self.cookie), has(self.query), has(self.path)].filter(x, x).size() == 1",
                "exactly one hash source must be set: clientIp, header, cookie, query or path"),
        ],
        ["BackendPoolSpec"] =
        [
            new("has(self.service) != has(self.endpoints)", "exactly one of service, endpoints must be set"),
        ],
        ["ServiceReference"] =
        [
            new("!(has(self.port) && has(self.portName))", "set port or portName, not both"),
        ],
        ["ActiveHealthCheckSpec"] =
        [
            new("[has(self.http), has(self.tcp), has(self.grpc)].filter(x, x).size() <= 1", "at most one of http, tcp, grpc may be set"),
        ],
        ["ValueMatchSpec"] =
        [
            new("!(has(self.value) && has(self.regex))", "set value or regex, not both"),
        ],
        ["CanarySpec"] =
        [
            new("has(self.header) || has(self.cookie)", "a canary needs a header or a cookie to match"),
        ],
        ["ListenerSpec"] =
        [
            new("self.protocol != 'HTTPS' || has(self.tls)", "an HTTPS listener needs tls"),
        ],
        ["RewriteSpec"] =
        [
            new("!(has(self.pathPrefix) && has(self.pathRegex))", "set pathPrefix or pathRegex, not both"),
        ],
        ["RedirectSpec"] =
        [
            new("!(has(self.path) && has(self.pathPrefix))", "set path or pathPrefix, not both"),
        ],
        ["HttpRouteSpec"] =
        [
            new("!(has(self.redirect) && has(self.backends))", "a route with a redirect takes no backends"),
        ],
        ["SessionAffinitySpec"] =
        [
            new("self.type != 'Header' || has(self.headerName)", "type Header needs headerName"),
        ],
    };

    /// <summary>Durations as users write them: <c>500ms</c>, <c>30s</c>, <c>1m30s</c>, <c>2h</c>.</summary>
    public const string DurationPattern = @"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$";
}
