using System.Text.Json.Serialization;
using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses;

/// <summary>The Kubernetes API group of Ingress and IngressClass.</summary>
public static class NetworkingApi
{
    public const string Group = "networking.k8s.io";
    public const string Version = "v1";
    public const string ApiVersion = Group + "/" + Version;
}

/// <summary>
/// A <c>networking.k8s.io/v1</c> Ingress, as the API server serves it. Only the fields Ingress has: its
/// ingress-nginx annotations are read by <see cref="Annotations.NginxAnnotations"/>, not modelled here.
/// </summary>
public sealed class Ingress : Resource
{
    public const string KindName = "Ingress";
    public Ingress() => ApiVersion = NetworkingApi.ApiVersion;
    public override string Kind { get; set; } = KindName;
    public IngressSpec Spec { get; set; } = new();
    public IngressStatus? Status { get; set; }
}

public sealed class IngressSpec
{
    public string? IngressClassName { get; set; }
    public IngressBackend? DefaultBackend { get; set; }
    public List<IngressTls>? Tls { get; set; }
    public List<IngressRule>? Rules { get; set; }
}

public sealed class IngressTls
{
    public List<string>? Hosts { get; set; }
    public string? SecretName { get; set; }
}

public sealed class IngressRule
{
    /// <summary>An exact name or a <c>*.</c> wildcard of exactly one label (the Ingress rule); any host when absent.</summary>
    public string? Host { get; set; }
    public HttpIngressRuleValue? Http { get; set; }
}

public sealed class HttpIngressRuleValue
{
    public List<HttpIngressPath> Paths { get; set; } = [];
}

public sealed class HttpIngressPath
{
    public string? Path { get; set; }
    /// <summary>Exact, Prefix or ImplementationSpecific (required by the API).</summary>
    public string PathType { get; set; } = "";
    public IngressBackend Backend { get; set; } = new();
}

public sealed class IngressBackend
{
    public IngressServiceBackend? Service { get; set; }
    /// <summary>A reference to another kind of object; Ballast serves only Service backends and says so.</summary>
    public TypedLocalObjectReference? Resource { get; set; }
}

public sealed class IngressServiceBackend
{
    public string Name { get; set; } = "";
    public ServiceBackendPort? Port { get; set; }
}

public sealed class ServiceBackendPort
{
    public string? Name { get; set; }
    public int? Number { get; set; }
}

public sealed class TypedLocalObjectReference
{
    public string? ApiGroup { get; set; }
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
}

/// <summary>What the controller writes back: the addresses the Ingress is reachable on. Unknown fields are the API server's.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class IngressStatus
{
    public IngressLoadBalancerStatus? LoadBalancer { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class IngressLoadBalancerStatus
{
    public List<IngressLoadBalancerIngress>? Ingress { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class IngressLoadBalancerIngress
{
    public string? Ip { get; set; }
    public string? Hostname { get; set; }
}

/// <summary>A <c>networking.k8s.io/v1</c> IngressClass: which controller serves the Ingresses that name it.</summary>
public sealed class IngressClass : Resource
{
    public const string KindName = "IngressClass";
    /// <summary>The annotation that makes a class the cluster's default for Ingresses that name none.</summary>
    public const string DefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class";
    public IngressClass() => ApiVersion = NetworkingApi.ApiVersion;
    public override string Kind { get; set; } = KindName;
    public IngressClassSpec Spec { get; set; } = new();
}

public sealed class IngressClassSpec
{
    public string Controller { get; set; } = "";
    /// <summary>Controller-specific parameters; Ballast takes none and ignores them.</summary>
    public IngressClassParameters? Parameters { get; set; }
}

public sealed class IngressClassParameters
{
    public string? ApiGroup { get; set; }
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Namespace { get; set; }
    public string? Scope { get; set; }
}
