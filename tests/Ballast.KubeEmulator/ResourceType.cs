namespace Ballast.KubeEmulator;

/// <summary>One kind of resource the emulator serves: where it lives in the URL space and how it behaves.</summary>
/// <param name="Group">API group; empty for the core group (<c>/api/v1</c>).</param>
/// <param name="HasStatusSubresource">
/// Writes to the main resource ignore <c>status</c>, and <c>/status</c> writes change only <c>status</c>
/// (the CRD <c>subresources.status</c> behaviour).
/// </param>
public sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced = true,
    bool HasStatusSubresource = false,
    string[]? ShortNames = null)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string GroupVersion => ApiVersion;
    public string Id => $"{Plural}.{Group}/{Version}";

    /// <summary>What a default emulator serves: what the Ballast operator reads and writes.</summary>
    public static IReadOnlyList<ResourceType> Defaults { get; } =
    [
        new("", "v1", "namespaces", "Namespace", Namespaced: false, HasStatusSubresource: true, ShortNames: ["ns"]),
        new("", "v1", "services", "Service", HasStatusSubresource: true, ShortNames: ["svc"]),
        new("", "v1", "secrets", "Secret"),
        new("", "v1", "configmaps", "ConfigMap", ShortNames: ["cm"]),
        new("", "v1", "events", "Event", ShortNames: ["ev"]),
        new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice"),
        new("coordination.k8s.io", "v1", "leases", "Lease"),
        new("apps", "v1", "deployments", "Deployment", HasStatusSubresource: true, ShortNames: ["deploy"]),
        new("ballast.dev", "v1alpha1", "loadbalancerpolicies", "LoadBalancerPolicy", HasStatusSubresource: true, ShortNames: ["lbp"]),
        new("ballast.dev", "v1alpha1", "backendpools", "BackendPool", HasStatusSubresource: true, ShortNames: ["bp"]),
    ];

    /// <summary>Gateway API's kinds as the standard-channel CRDs (config/crds/gateway-api) serve them.</summary>
    public static IReadOnlyList<ResourceType> GatewayApi { get; } =
    [
        new("gateway.networking.k8s.io", "v1", "gatewayclasses", "GatewayClass", Namespaced: false, HasStatusSubresource: true),
        new("gateway.networking.k8s.io", "v1", "gateways", "Gateway", HasStatusSubresource: true),
        new("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", HasStatusSubresource: true),
        new("gateway.networking.k8s.io", "v1", "grpcroutes", "GRPCRoute", HasStatusSubresource: true),
        new("gateway.networking.k8s.io", "v1", "tlsroutes", "TLSRoute", HasStatusSubresource: true),
        new("gateway.networking.k8s.io", "v1", "tcproutes", "TCPRoute", HasStatusSubresource: true),
        new("gateway.networking.k8s.io", "v1", "udproutes", "UDPRoute", HasStatusSubresource: true),
        new("gateway.networking.k8s.io", "v1beta1", "referencegrants", "ReferenceGrant"),
    ];
}
