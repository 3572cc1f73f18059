using System.Collections.Immutable;
using Ballast.Model.Resources;

namespace Ballast.Model.Compilation;

/// <summary>
/// Everything the Compiler needs: the resources, plus what the edges resolved for them
/// (endpoints from EndpointSlices, secrets' contents). The Compiler looks nothing up itself.
/// </summary>
public sealed record CompilerInput
{
    public IReadOnlyList<LoadBalancerPolicy> Policies { get; init; } = [];
    public IReadOnlyList<BackendPool> Pools { get; init; } = [];

    /// <summary>
    /// The objects of the other front-ends (Gateway API, Ingress …: every kind in <see cref="Inputs.InputKinds"/> beyond the
    /// native two and the core objects). Each front-end picks its own kinds out of this list.
    /// </summary>
    public IReadOnlyList<Resource> Inputs { get; init; } = [];

    /// <summary>Endpoints of Services that pools name in <c>spec.service</c>, keyed by <c>namespace/name</c>.</summary>
    public IReadOnlyDictionary<string, ResolvedService> Services { get; init; } = ImmutableDictionary<string, ResolvedService>.Empty;

    /// <summary>Labels of namespaces, by name (Gateway listeners' <c>allowedRoutes.namespaces.selector</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels { get; init; } =
        ImmutableDictionary<string, IReadOnlyDictionary<string, string>>.Empty;

    /// <summary>Contents of Secrets (or files) that resources name, keyed by <c>namespace/name</c> (or the file path).</summary>
    public IReadOnlyDictionary<string, ResolvedSecret> Secrets { get; init; } = ImmutableDictionary<string, ResolvedSecret>.Empty;

    /// <summary>
    /// Certificates obtained by ACME, keyed by <c>namespace/policy/listener</c> (entries <c>tls.crt</c>, <c>tls.key</c>):
    /// they serve that listener ahead of its configured certificates.
    /// </summary>
    public IReadOnlyDictionary<string, ResolvedSecret> AcmeCertificates { get; init; } = ImmutableDictionary<string, ResolvedSecret>.Empty;

    /// <summary>Pending HTTP-01 challenges (token → key authorization), copied into the snapshot.</summary>
    public IReadOnlyDictionary<string, string> AcmeChallenges { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// Set by <c>validate</c>, which sees no cluster: a Service or Secret that is not in <see cref="Services"/> /
    /// <see cref="Secrets"/> is then a warning (it may well exist in the cluster), not an error.
    /// </summary>
    public bool ClusterObjectsUnknown { get; init; }

    /// <summary>
    /// Resources that failed their own checks before compiling (a YAML document with a shape error, which the
    /// loader leaves out and reports). A reference to one says "refers to invalid BackendPool x", not "not found".
    /// </summary>
    public IReadOnlySet<ResourceKey> InvalidResources { get; init; } = ImmutableHashSet<ResourceKey>.Empty;

    /// <summary>Where and how Ingress objects are served (the ingress's <c>--ingress-http-port</c> / <c>--ingress-https-port</c>).</summary>
    public IngressServing Ingress { get; init; } = new();

    /// <summary>
    /// The port clients reach a listener port on, by listener port: in a cluster listeners bind the ingress pods'
    /// container ports (8080) while clients use the ingress Service's port that targets them (80). A port not in it is
    /// reached on itself (standalone mode, hostNetwork).
    /// </summary>
    public IReadOnlyDictionary<int, int> PublicPorts { get; init; } = ImmutableDictionary<int, int>.Empty;

    /// <summary>The port clients use for <paramref name="listenerPort"/> (see <see cref="PublicPorts"/>).</summary>
    public int PublicPort(int listenerPort) => PublicPorts.TryGetValue(listenerPort, out var port) ? port : listenerPort;

    /// <summary>The version to stamp on the snapshot (the caller keeps the counter: the Compiler has no state).</summary>
    public long Version { get; init; }
}

/// <param name="UnclassedWithoutDefault">Serve Ingresses that name no class when no IngressClass is the default (standalone mode).</param>
public sealed record IngressServing(int HttpPort = 8080, int HttpsPort = 8443, bool UnclassedWithoutDefault = false);

/// <summary>A Service's ports and, per port, its endpoints as EndpointSlices report them.</summary>
public sealed record ResolvedService(string Namespace, string Name, ImmutableArray<ResolvedServicePort> Ports)
{
    /// <summary>The <c>appProtocol</c> of a Service port, by port number (e.g. <c>kubernetes.io/h2c</c>); absent ports have none.</summary>
    public ImmutableDictionary<int, string> AppProtocols { get; init; } = ImmutableDictionary<int, string>.Empty;
}

/// <summary>One Service port: its name and number, and the endpoints behind it on the target port.</summary>
public sealed record ResolvedServicePort(string? Name, int Port, ImmutableArray<ResolvedEndpoint> Endpoints);

/// <summary>An endpoint with its EndpointSlice conditions.</summary>
public sealed record ResolvedEndpoint(string Address, int Port, bool Ready, bool Serving, bool Terminating);

/// <summary>The data of a Secret, by key (for TLS: <c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>).</summary>
public sealed record ResolvedSecret(string Type, ImmutableDictionary<string, byte[]> Data);
