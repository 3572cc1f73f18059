using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ballast.Model.Resources.GatewayApi;

public sealed class HttpRoute : GatewayRoute
{
    public const string KindName = "HTTPRoute";
    public override string Kind { get; set; } = KindName;
    public HttpRouteSpec Spec { get; set; } = new();
    public override List<ParentReference>? ParentRefs => Spec.ParentRefs;
    public override List<string>? RouteHostnames => Spec.Hostnames;
}

public sealed class HttpRouteSpec
{
    public List<ParentReference>? ParentRefs { get; set; }
    public List<string>? Hostnames { get; set; }
    public List<HttpRouteRule>? Rules { get; set; }
}

public sealed class HttpRouteRule
{
    public string? Name { get; set; }
    public List<HttpRouteMatch>? Matches { get; set; }
    public List<HttpRouteFilter>? Filters { get; set; }
    public List<HttpBackendRef>? BackendRefs { get; set; }
    public HttpRouteTimeouts? Timeouts { get; set; }
    public JsonElement? Retry { get; set; }
    public JsonElement? SessionPersistence { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<PathMatchType>))]
public enum PathMatchType { Exact, PathPrefix, RegularExpression }

[JsonConverter(typeof(JsonStringEnumConverter<StringMatchType>))]
public enum StringMatchType { Exact, RegularExpression }

public sealed class HttpRouteMatch
{
    public HttpPathMatch? Path { get; set; }
    public List<HttpValueMatch>? Headers { get; set; }
    public List<HttpValueMatch>? QueryParams { get; set; }
    public string? Method { get; set; }
}

public sealed class HttpPathMatch
{
    /// <summary>PathPrefix when absent.</summary>
    public PathMatchType? Type { get; set; }
    /// <summary>"/" when absent.</summary>
    public string? Value { get; set; }
}

/// <summary>A header or query parameter match (Exact when no type is given).</summary>
public sealed class HttpValueMatch
{
    public StringMatchType? Type { get; set; }
    public string Name { get; set; } = "";
    public string Value { get; set; } = "";
}

public sealed class HttpRouteTimeouts
{
    public Duration? Request { get; set; }
    public Duration? BackendRequest { get; set; }
}

public sealed class HttpBackendRef : BackendRef
{
    public List<HttpRouteFilter>? Filters { get; set; }
}

public sealed class HttpRouteFilter
{
    /// <summary>RequestHeaderModifier, ResponseHeaderModifier, RequestMirror, RequestRedirect, URLRewrite, ExtensionRef, CORS, ExternalAuth.</summary>
    public string Type { get; set; } = "";
    public HttpHeaderFilter? RequestHeaderModifier { get; set; }
    public HttpHeaderFilter? ResponseHeaderModifier { get; set; }
    public HttpRequestMirrorFilter? RequestMirror { get; set; }
    public HttpRequestRedirectFilter? RequestRedirect { get; set; }
    public HttpUrlRewriteFilter? UrlRewrite { get; set; }
    public LocalObjectReference? ExtensionRef { get; set; }
    public JsonElement? Cors { get; set; }
    public JsonElement? ExternalAuth { get; set; }
}

public sealed class HttpHeader
{
    public string Name { get; set; } = "";
    public string Value { get; set; } = "";
}

public sealed class HttpHeaderFilter
{
    public List<HttpHeader>? Set { get; set; }
    public List<HttpHeader>? Add { get; set; }
    public List<string>? Remove { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<PathModifierType>))]
public enum PathModifierType { ReplaceFullPath, ReplacePrefixMatch }

public sealed class HttpPathModifier
{
    public PathModifierType Type { get; set; }
    public string? ReplaceFullPath { get; set; }
    public string? ReplacePrefixMatch { get; set; }
}

public sealed class HttpRequestRedirectFilter
{
    public string? Scheme { get; set; }
    public string? Hostname { get; set; }
    public HttpPathModifier? Path { get; set; }
    public int? Port { get; set; }
    public int? StatusCode { get; set; }
}

public sealed class HttpUrlRewriteFilter
{
    public string? Hostname { get; set; }
    public HttpPathModifier? Path { get; set; }
}

public sealed class HttpRequestMirrorFilter
{
    public BackendObjectReference BackendRef { get; set; } = new();
    public int? Percent { get; set; }
    public Fraction? Fraction { get; set; }
}

public sealed class Fraction
{
    public int Numerator { get; set; }
    public int? Denominator { get; set; }
}
