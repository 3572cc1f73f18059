namespace Ballast.Ingress.Tests.Sources;

/// <summary>
/// One request and what must come of it, in the shape of the upstream suite's <c>http.ExpectedResponse</c>: the
/// status, which backend answered, what the backend saw (path with query, host, headers, absent headers), the
/// response headers and the redirect's Location. <c>{port}</c> stands for the listener's port, <c>{backend}</c> for
/// the name of the backend that answered.
/// </summary>
public sealed record Exchange(string Feature, string Name)
{
    public string Host { get; init; } = "";
    public string Method { get; init; } = "GET";
    public string Path { get; init; } = "/";
    public (string Name, string Value)[] Headers { get; init; } = [];
    /// <summary>A request body (text); null: none.</summary>
    public string? Body { get; init; }
    public int Status { get; init; } = 200;
    /// <summary>The backends that may answer; every one of them must answer at least once over <see cref="Times"/>.</summary>
    public string[] Backends { get; init; } = [];
    public string? SeenPath { get; init; }
    public string? SeenHost { get; init; }
    public (string Name, string Value)[] SeenHeaders { get; init; } = [];
    public string[] AbsentHeaders { get; init; } = [];
    public (string Name, string Value)[] ResponseHeaders { get; init; } = [];
    public string[] AbsentResponseHeaders { get; init; } = [];
    public string? Location { get; init; }
    /// <summary>How many times the request is sent (every answer is held to the expectations).</summary>
    public int Times { get; init; } = 1;
    /// <summary>Sent over TLS to the HTTPS listeners' port with this SNI, whatever <see cref="Host"/> says; null: plain HTTP.</summary>
    public string? Sni { get; init; }
    /// <summary>The subject CN of the certificate the HTTPS port must serve for <see cref="Sni"/>; null: not checked.</summary>
    public string? Certificate { get; init; }
    /// <summary>HTTP/2 with prior knowledge (h2c) instead of HTTP/1.1.</summary>
    public bool H2c { get; init; }
    /// <summary>A WebSocket upgrade: <see cref="Status"/> 101 and text and binary messages echoed back, or refused with <see cref="Status"/>.</summary>
    public bool WebSocket { get; init; }

    public string Key => $"{Feature}: {Name}";
}

/// <summary>
/// The exchanges of the matrix, grouped by the HTTPRoute feature of the upstream suite they come from (core and
/// extended), against the routes of <c>conformance-routes.yaml</c>. Written afresh from what those tests check.
/// </summary>
public static class HttpRouteExchanges
{
    private static Exchange To(string feature, string name, string host, string path, params string[] backends) =>
        new(feature, name) { Host = host, Path = path, Backends = backends };

    private static Exchange NotFound(string feature, string name, string host, string path) =>
        new(feature, name) { Host = host, Path = path, Status = 404 };

    /// <summary>Over TLS to the HTTPS port, the SNI and the Host both <paramref name="host"/>.</summary>
    private static Exchange Tls(string feature, string name, string host, string path, params string[] backends) =>
        new(feature, name) { Sni = host, Host = host, Path = path, Backends = backends };

    /// <summary>The HTTP/1.1 exchanges on the HTTP listener.</summary>
    private static readonly Exchange[] Http1 =
    [
        // HTTPRouteSimpleSameNamespace (core)
        To("simple", "a rule without matches takes every path", "simple.test", "/", "v1") with { SeenPath = "/" },
        To("simple", "a deeper path", "simple.test", "/any/path?x=1", "v1") with { SeenPath = "/any/path?x=1" },

        // HTTPRouteExactPathMatching (core)
        To("exact-path", "/one", "exact.test", "/one", "v1"),
        To("exact-path", "/two", "exact.test", "/two", "v2"),
        NotFound("exact-path", "a longer path does not match", "exact.test", "/one/example"),
        NotFound("exact-path", "a trailing slash does not match", "exact.test", "/one/"),
        NotFound("exact-path", "paths are case-sensitive", "exact.test", "/Two"),
        NotFound("exact-path", "a shorter path does not match", "exact.test", "/on"),

        // HTTPRouteMatching, HTTPRoutePathMatchOrder (core): segment-wise prefixes, the longest first, exact before prefix
        To("path-prefix", "the prefix itself", "prefix.test", "/match", "v1"),
        To("path-prefix", "the prefix and a slash", "prefix.test", "/match/", "v1"),
        To("path-prefix", "below the prefix", "prefix.test", "/match/x", "v1"),
        NotFound("path-prefix", "a prefix matches whole segments", "prefix.test", "/matchx"),
        To("path-prefix", "the longer prefix wins", "prefix.test", "/match/exact", "v2"),
        To("path-prefix", "below the longer prefix", "prefix.test", "/match/exact/two", "v2"),
        To("path-prefix", "exact beats every prefix", "prefix.test", "/match/exact/one", "v3"),
        To("path-prefix", "below the exact path the longer prefix", "prefix.test", "/match/exact/one/x", "v2"),
        To("path-prefix", "a longer segment falls back to the shorter prefix", "prefix.test", "/match/exactx", "v1"),
        To("path-prefix", "a prefix written with a trailing slash matches without it", "prefix.test", "/trailing", "v2"),
        To("path-prefix", "and below it", "prefix.test", "/trailing/x", "v2"),
        NotFound("path-prefix", "but not a longer segment", "prefix.test", "/trailingx"),

        // RegularExpression paths (implementation-specific in the spec; Ballast anchors them)
        To("path-regex", "the whole path matches", "regex.test", "/item/42", "v2"),
        NotFound("path-regex", "a partial match is no match", "regex.test", "/item/42/x"),
        NotFound("path-regex", "no match", "regex.test", "/item/x"),

        // HTTPRouteHeaderMatching (core; RegularExpression is implementation-specific)
        To("header-match", "version one", "headers.test", "/", "v1") with { Headers = [("version", "one")] },
        To("header-match", "header names are case-insensitive", "headers.test", "/", "v1") with { Headers = [("VERSION", "one")] },
        To("header-match", "version two", "headers.test", "/", "v2") with { Headers = [("version", "two")] },
        To("header-match", "more header matches win", "headers.test", "/", "v3") with { Headers = [("version", "two"), ("color", "orange")] },
        NotFound("header-match", "values are case-sensitive", "headers.test", "/") with { Headers = [("version", "One")] },
        NotFound("header-match", "another header alone", "headers.test", "/") with { Headers = [("color", "orange")] },
        To("header-match", "a regular expression", "headers.test", "/", "v1") with { Headers = [("x-pattern", "abc-12")] },
        NotFound("header-match", "the regular expression must match the whole value", "headers.test", "/") with { Headers = [("x-pattern", "abc-12-x")] },
        NotFound("header-match", "no header", "headers.test", "/"),

        // HTTPRouteQueryParamMatching (extended)
        To("query-match", "animal=whale", "query.test", "/?animal=whale", "v1"),
        To("query-match", "animal=dolphin", "query.test", "/?animal=dolphin", "v2"),
        To("query-match", "more parameters win", "query.test", "/?animal=dolphin&color=blue", "v3"),
        To("query-match", "names are case-sensitive: ANIMAL is another parameter", "query.test", "/?ANIMAL=Whale", "v3"),
        NotFound("query-match", "Animal is neither", "query.test", "/?Animal=whale"),
        NotFound("query-match", "values are case-sensitive", "query.test", "/?animal=Whale"),
        To("query-match", "other parameters do not matter", "query.test", "/?animal=whale&other=x", "v1"),
        To("query-match", "a repeated parameter: the first value counts", "query.test", "/?animal=whale&animal=dolphin", "v1"),
        To("query-match", "a repeated parameter the other way round", "query.test", "/?animal=dolphin&animal=whale", "v2"),
        To("query-match", "values are decoded", "query.test", "/?animal=wh%61le", "v1"),
        NotFound("query-match", "a value that only starts the same", "query.test", "/?animal=whaledolphin"),
        NotFound("query-match", "only the other parameter", "query.test", "/?color=blue"),
        NotFound("query-match", "no query", "query.test", "/"),
        To("query-match", "path, header and query together", "query.test", "/zoo?animal=whale", "v3") with { Headers = [("version", "one")] },

        // HTTPRouteMethodMatching (extended)
        To("method-match", "POST", "method.test", "/", "v1") with { Method = "POST" },
        To("method-match", "GET", "method.test", "/", "v2"),
        NotFound("method-match", "a method no rule names", "method.test", "/") with { Method = "PATCH" },
        NotFound("method-match", "methods are case-sensitive", "method.test", "/") with { Method = "get" },
        To("method-match", "path and method", "method.test", "/both", "v3") with { Method = "PUT" },
        NotFound("method-match", "path with another method", "method.test", "/both") with { Method = "DELETE" },

        // HTTPRouteMatchingAcrossRoutes (core)
        To("across-routes", "the catch-all rule", "across-a.test", "/", "v1"),
        To("across-routes", "a prefix rule of the same route", "across-a.test", "/v2/x", "v2"),
        To("across-routes", "the same route on its other host", "across-b.test", "/v2", "v2"),
        To("across-routes", "a header match in another route wins", "across-a.test", "/", "v3") with { Headers = [("version", "three")] },
        To("across-routes", "which does not serve the other host", "across-b.test", "/", "v1") with { Headers = [("version", "three")] },
        NotFound("across-routes", "a host no route names", "across-c.test", "/"),

        // HTTPRouteHostnameIntersection / listener hostnames (core): wildcards
        To("hostnames", "a wildcard host", "a.wild.test", "/", "v2"),
        To("hostnames", "a wildcard covers several labels", "a.b.wild.test", "/", "v2"),
        To("hostnames", "an exact host beats the wildcard", "exact.wild.test", "/", "v3"),
        NotFound("hostnames", "the wildcard's parent is not covered", "wild.test", "/"),
        To("hostnames", "host names are case-insensitive", "A.Wild.Test", "/", "v2"),

        // HTTPRouteRequestHeaderModifier (core)
        To("request-header-modifier", "set replaces a value", "reqhdr.test", "/set", "v1") with
        {
            Headers = [("X-Header-Set", "some-other-value")], SeenHeaders = [("X-Header-Set", "set-value")],
        },
        To("request-header-modifier", "set adds a missing header", "reqhdr.test", "/set", "v1") with { SeenHeaders = [("X-Header-Set", "set-value")] },
        To("request-header-modifier", "add appends a separate value", "reqhdr.test", "/add", "v1") with
        {
            Headers = [("X-Header-Add", "existing")], SeenHeaders = [("X-Header-Add", "existing,added")],
        },
        To("request-header-modifier", "add matches the name case-insensitively", "reqhdr.test", "/add", "v1") with
        {
            Headers = [("x-header-add", "existing")], SeenHeaders = [("X-Header-Add", "existing,added")],
        },
        To("request-header-modifier", "add on a request with a body", "reqhdr.test", "/add", "v1") with
        {
            Method = "POST", Body = "a body", Headers = [("X-Header-Add", "existing")], SeenHeaders = [("X-Header-Add", "existing,added")],
        },
        To("request-header-modifier", "add a missing header", "reqhdr.test", "/add", "v1") with { SeenHeaders = [("X-Header-Add", "added")] },
        To("request-header-modifier", "remove", "reqhdr.test", "/remove", "v1") with
        {
            Headers = [("X-Header-Remove", "gone")], AbsentHeaders = ["X-Header-Remove"],
        },
        To("request-header-modifier", "set, add and remove together", "reqhdr.test", "/multiple", "v1") with
        {
            Headers = [("X-Header-Set-2", "old"), ("X-Header-Add-2", "old"), ("X-Header-Remove-2", "r"), ("X-Header-Remove-1", "r")],
            SeenHeaders = [("X-Header-Set-1", "one"), ("X-Header-Set-2", "two"), ("X-Header-Add-1", "one"), ("X-Header-Add-2", "old,two"), ("X-Header-Add-3", "three")],
            AbsentHeaders = ["X-Header-Remove-1", "X-Header-Remove-2"],
        },

        // HTTPRouteResponseHeaderModifier (core)
        To("response-header-modifier", "set replaces the backend's value", "resphdr.test", "/set", "v1") with
        {
            Headers = [("X-Echo-Set-Header", "X-Header-Set: original")], ResponseHeaders = [("X-Header-Set", "set-value")],
        },
        To("response-header-modifier", "add appends a separate value", "resphdr.test", "/add", "v1") with
        {
            Headers = [("X-Echo-Set-Header", "X-Header-Add: original")], ResponseHeaders = [("X-Header-Add", "original,added")],
        },
        To("response-header-modifier", "add a missing header", "resphdr.test", "/add", "v1") with { ResponseHeaders = [("X-Header-Add", "added")] },
        To("response-header-modifier", "remove", "resphdr.test", "/remove", "v1") with
        {
            Headers = [("X-Echo-Set-Header", "X-Header-Remove: there")], AbsentResponseHeaders = ["X-Header-Remove"],
        },

        // HTTPRouteRequestHeaderModifierBackendWeights, HTTPRouteBackendRequestHeaderModifier (extended): filters on one backendRef
        new Exchange("backend-filters", "each backend gets its own header rules, after the route's")
        {
            Host = "backendfilter.test", Backends = ["v1", "v2"], Times = 6,
            SeenHeaders = [("X-Backend-Filter", "{backend}"), ("X-Route", "route")],
            ResponseHeaders = [("X-Answered-By-Filter", "{backend}")],
        },

        // HTTPRouteRedirect* (core: host, status, scheme; extended: port, path)
        new Exchange("redirect", "hostname, the listener's port kept") { Host = "redirect.test", Path = "/host", Status = 302, Location = "http://moved.test:{port}/host" },
        new Exchange("redirect", "status 301") { Host = "redirect.test", Path = "/status-301", Status = 301, Location = "http://moved.test:{port}/status-301" },
        new Exchange("redirect", "status 303") { Host = "redirect.test", Path = "/status-303", Status = 303, Location = "http://redirect.test:{port}/status-303" },
        new Exchange("redirect", "status 307") { Host = "redirect.test", Path = "/status-307", Status = 307, Location = "http://redirect.test:{port}/status-307" },
        new Exchange("redirect", "status 308") { Host = "redirect.test", Path = "/status-308", Status = 308, Location = "http://redirect.test:{port}/status-308" },
        new Exchange("redirect", "scheme: the scheme's port, left out") { Host = "redirect.test", Path = "/scheme", Status = 302, Location = "https://redirect.test/scheme" },
        new Exchange("redirect", "port") { Host = "redirect.test", Path = "/port", Status = 302, Location = "http://redirect.test:8083/port" },
        new Exchange("redirect", "scheme and port") { Host = "redirect.test", Path = "/scheme-and-port", Status = 302, Location = "https://redirect.test:8443/scheme-and-port" },
        new Exchange("redirect", "a well-known port is left out") { Host = "redirect.test", Path = "/http-on-80", Status = 302, Location = "http://redirect.test/http-on-80" },
        new Exchange("redirect", "the query is kept") { Host = "redirect.test", Path = "/host?a=1&b=2", Status = 302, Location = "http://moved.test:{port}/host?a=1&b=2" },
        new Exchange("redirect", "ReplacePrefixMatch") { Host = "redirect.test", Path = "/fruit/lemon", Status = 302, Location = "http://redirect.test:{port}/produce/lemon" },
        new Exchange("redirect", "ReplacePrefixMatch of the prefix alone") { Host = "redirect.test", Path = "/fruit", Status = 302, Location = "http://redirect.test:{port}/produce" },
        new Exchange("redirect", "ReplaceFullPath") { Host = "redirect.test", Path = "/whole/path/x", Status = 302, Location = "http://redirect.test:{port}/replaced" },
        new Exchange("redirect", "path and host") { Host = "redirect.test", Path = "/path-and-host/y", Status = 302, Location = "http://moved.test:{port}/elsewhere/y" },

        // HTTPRouteRewriteHost, HTTPRouteRewritePath (extended)
        To("rewrite", "hostname", "rewrite.test", "/host", "v1") with { SeenHost = "rewritten.test", SeenPath = "/host" },
        To("rewrite", "ReplacePrefixMatch", "rewrite.test", "/api/v1/items", "v1") with { SeenPath = "/v2/items" },
        To("rewrite", "ReplacePrefixMatch of the prefix alone", "rewrite.test", "/api/v1", "v1") with { SeenPath = "/v2" },
        To("rewrite", "ReplacePrefixMatch with /", "rewrite.test", "/strip/three", "v1") with { SeenPath = "/three" },
        To("rewrite", "ReplacePrefixMatch with / of the prefix alone", "rewrite.test", "/strip", "v1") with { SeenPath = "/" },
        To("rewrite", "ReplaceFullPath", "rewrite.test", "/full/one/two", "v1") with { SeenPath = "/replaced" },
        To("rewrite", "ReplaceFullPath keeps the query", "rewrite.test", "/full/x?q=1", "v1") with { SeenPath = "/replaced?q=1" },
        To("rewrite", "hostname, path and a header modifier", "rewrite.test", "/everything/x", "v1") with
        {
            SeenHost = "rewritten.test", SeenPath = "/all", SeenHeaders = [("X-Rewritten", "yes")],
        },

        // HTTPRouteWeight (core)
        To("weights", "weight 0 gets nothing", "weight.test", "/zero", "v1") with { Times = 10 },
        To("weights", "equal weights share", "weight.test", "/split", "v1", "v2") with { Times = 10 },

        // HTTPRouteInvalid* and HTTPRouteOmittedBackendRefs (core): the rule's share answers 500, the rest serves
        new Exchange("invalid-backends", "an unknown Service") { Host = "invalid.test", Path = "/missing", Status = 500, Times = 3 },
        new Exchange("invalid-backends", "an unknown kind") { Host = "invalid.test", Path = "/kind", Status = 500 },
        new Exchange("invalid-backends", "another namespace without a ReferenceGrant") { Host = "invalid.test", Path = "/cross-namespace", Status = 500 },
        To("invalid-backends", "another namespace with a ReferenceGrant", "invalid.test", "/granted", "v3"),
        new Exchange("invalid-backends", "no backendRefs") { Host = "invalid.test", Path = "/omitted", Status = 500 },
        To("invalid-backends", "the route's valid rule serves", "invalid.test", "/ok", "v1"),

        // HTTPRouteTimeoutRequest, HTTPRouteTimeoutBackendRequest (extended)
        To("timeouts", "within timeouts.request", "timeout.test", "/request", "v1"),
        new Exchange("timeouts", "past timeouts.request") { Host = "timeout.test", Path = "/request", Status = 504, Headers = [("X-Echo-Delay", "5000")] },
        new Exchange("timeouts", "past timeouts.backendRequest") { Host = "timeout.test", Path = "/backend", Status = 504, Headers = [("X-Echo-Delay", "5000")] },

        // HTTPRouteRequestMirror, HTTPRouteRequestMultipleMirrors, HTTPRouteRequestPercentageMirror (extended): the
        // client's side here; what the mirrors receive is checked in RequestMirrorTests.
        To("request-mirror", "the route's backend answers", "mirror.test", "/mirror", "v1") with { SeenPath = "/mirror" },
    ];

    /// <summary>
    /// HTTPS listeners on one port (HTTPRouteHTTPSListener, HTTPSListenerMultiTLSCerts…; HTTPRouteHTTPSListenerDetectMisdirectedRequests,
    /// extended): the SNI picks the certificate, the Host the listener, and a request never reaches another listener's routes.
    /// <c>one.secure.test</c> has a listener and a certificate of its own, the rest of <c>*.secure.test</c> another.
    /// </summary>
    private static readonly Exchange[] Https =
    [
        Tls("https-listener", "a listener with a certificate of its own", "one.secure.test", "/one", "v1") with { Certificate = "one.secure.test" },
        Tls("https-listener", "the wildcard listener with its certificate", "two.secure.test", "/", "v2") with { Certificate = "*.secure.test" },
        Tls("https-listener", "the specific listener's host does not fall through to the wildcard listener's routes", "one.secure.test", "/other") with { Status = 404 },
        Tls("https-listener", "a host no HTTPS listener has never reaches the HTTP listener's routes", "simple.test", "/") with { Status = 404 },
        Tls("https-listener", "a redirect keeps https and the listener's port", "one.secure.test", "/moved") with
        {
            Status = 302, Location = "https://one.secure.test:{https-port}/here",
        },
        Tls("https-listener", "the SNI of one listener with the host of another is misdirected", "one.secure.test", "/one") with { Host = "two.secure.test", Status = 421 },
        Tls("https-listener", "and the other way round", "two.secure.test", "/one") with { Host = "one.secure.test", Status = 421 },
        Tls("https-listener", "another host of the SNI's listener is served", "two.secure.test", "/", "v2") with { Host = "three.secure.test" },
    ];

    /// <summary>HTTPRouteBackendProtocolWebSocket (extended): an upgrade through an HTTPRoute, echoed by the backend.</summary>
    private static readonly Exchange[] WebSockets =
    [
        new Exchange("websocket", "an upgrade through the route echoes text and binary messages") { Host = "ws.test", Path = "/ws", Status = 101, WebSocket = true },
        new Exchange("websocket", "an upgrade no rule matches is refused") { Host = "ws.test", Path = "/elsewhere", Status = 404, WebSocket = true },
    ];

    /// <summary>
    /// Every HTTP/1.1 exchange, as HTTP/2 with prior knowledge on the same listener: the same rules match. Not the
    /// timeouts (each waits seconds; nothing in them depends on the protocol) nor lower-case methods (HttpClient
    /// upper-cases them; the raw HTTP/1.1 request is what keeps them).
    /// </summary>
    private static IEnumerable<Exchange> OverH2c(IEnumerable<Exchange> exchanges) =>
        exchanges.Where(e => e.Feature != "timeouts" && !e.Method.Any(char.IsLower)).Select(e => e with { Feature = "h2c " + e.Feature, H2c = true });

    public static readonly Exchange[] All = [.. Http1, .. OverH2c(Http1), .. Https, .. WebSockets];

    public static TheoryData<string> Keys()
    {
        var data = new TheoryData<string>();
        foreach (var e in All) data.Add(e.Key);
        return data;
    }
}
