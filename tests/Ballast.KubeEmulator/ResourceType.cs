using Ballast.KubeEmulator.Validation;

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
    /// <summary>The CRD this type comes from: its schema, CEL rules and printer columns are enforced and served.</summary>
    public CustomResourceDefinition? Crd { get; init; }

    public static ResourceType FromCrd(CustomResourceDefinition crd) =>
        new(crd.Group, crd.Version, crd.Plural, crd.Kind, crd.Namespaced, crd.HasStatusSubresource, [.. crd.ShortNames]) { Crd = crd };

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string GroupVersion => ApiVersion;
    public string Id => $"{Plural}.{Group}/{Version}";

    /// <summary>
    /// What a default emulator serves: what the Ballast operator reads and writes, the custom resources as the
    /// repository's <c>config/crds/</c> define them.
    /// </summary>
    public static IReadOnlyList<ResourceType> Defaults { get; } = [.. BuiltIn, .. CrdCatalog.Repository.Select(FromCrd)];

    private static IReadOnlyList<ResourceType> BuiltIn =>
    [
        new("", "v1", "namespaces", "Namespace", Namespaced: false, HasStatusSubresource: true, ShortNames: ["ns"]),
        new("", "v1", "services", "Service", HasStatusSubresource: true, ShortNames: ["svc"]),
        new("", "v1", "secrets", "Secret"),
        new("", "v1", "configmaps", "ConfigMap", ShortNames: ["cm"]),
        new("", "v1", "events", "Event", ShortNames: ["ev"]),
        new("", "v1", "nodes", "Node", Namespaced: false, HasStatusSubresource: true, ShortNames: ["no"]),
        new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice"),
        new("coordination.k8s.io", "v1", "leases", "Lease"),
        new("apps", "v1", "deployments", "Deployment", HasStatusSubresource: true, ShortNames: ["deploy"]),
        // Every cluster serves Ingress: the operator watches it (and IngressClass) and writes status.loadBalancer.
        new("networking.k8s.io", "v1", "ingresses", "Ingress", HasStatusSubresource: true, ShortNames: ["ing"]),
        new("networking.k8s.io", "v1", "ingressclasses", "IngressClass", Namespaced: false),
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
