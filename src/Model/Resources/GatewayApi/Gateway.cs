using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ballast.Model.Resources.GatewayApi;

/// <summary>Where traffic enters: listeners (port, protocol, hostname, TLS) and which routes may attach to them.</summary>
public sealed class Gateway : Resource
{
    public const string KindName = "Gateway";
    public Gateway() => ApiVersion = GatewayApiGroup.V1;
    public override string Kind { get; set; } = KindName;
    public GatewaySpec Spec { get; set; } = new();
    public JsonElement? Status { get; set; }
}

public sealed class GatewaySpec
{
    public string GatewayClassName { get; set; } = "";
    public List<GatewayListener> Listeners { get; set; } = [];
    public List<GatewaySpecAddress>? Addresses { get; set; }
    public JsonElement? Infrastructure { get; set; }
    public JsonElement? AllowedListeners { get; set; }
    public JsonElement? BackendTLS { get; set; }
    public JsonElement? DefaultScope { get; set; }
    public JsonElement? Tls { get; set; }
}

public sealed class GatewaySpecAddress
{
    public string? Type { get; set; }
    public string Value { get; set; } = "";
}

public sealed class GatewayListener
{
    public string Name { get; set; } = "";
    public string? Hostname { get; set; }
    public int Port { get; set; }
    /// <summary>HTTP, HTTPS, TLS, TCP or UDP (open: other values are reported as unsupported, not refused at load).</summary>
    public string Protocol { get; set; } = "";
    public GatewayTlsConfig? Tls { get; set; }
    public AllowedRoutes? AllowedRoutes { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<GatewayTlsMode>))]
public enum GatewayTlsMode { Terminate, Passthrough }

public sealed class GatewayTlsConfig
{
    public GatewayTlsMode? Mode { get; set; }
    public List<SecretObjectReference>? CertificateRefs { get; set; }
    public Dictionary<string, string>? Options { get; set; }
    public JsonElement? FrontendValidation { get; set; }
}

public sealed class AllowedRoutes
{
    public RouteNamespaces? Namespaces { get; set; }
    public List<RouteGroupKind>? Kinds { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<FromNamespaces>))]
public enum FromNamespaces { All, Same, Selector, None }

public sealed class RouteNamespaces
{
    public FromNamespaces? From { get; set; }
    public LabelSelector? Selector { get; set; }
}

/// <summary>The status Ballast writes on its Gateways.</summary>
public sealed class GatewayStatus
{
    public List<GatewayStatusAddress> Addresses { get; set; } = [];
    public List<GatewayCondition> Conditions { get; set; } = [];
    public List<ListenerStatus> Listeners { get; set; } = [];
}

public sealed class GatewayStatusAddress
{
    public string Type { get; set; } = "IPAddress";
    public string Value { get; set; } = "";
}

public sealed class ListenerStatus
{
    public string Name { get; set; } = "";
    public List<RouteGroupKind> SupportedKinds { get; set; } = [];
    public int AttachedRoutes { get; set; }
    public List<GatewayCondition> Conditions { get; set; } = [];
}
