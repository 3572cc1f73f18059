using System.Text.Json.Serialization;

namespace Ballast.Model.Resources;

/// <summary>A set of endpoints and how traffic is spread over them and kept healthy.</summary>
public sealed class BackendPool : Resource
{
    public const string KindName = "BackendPool";
    public override string Kind { get; set; } = KindName;
    public BackendPoolSpec Spec { get; set; } = new();
    public BackendPoolStatus? Status { get; set; }
}

/// <summary>What a pool's endpoints are and how traffic reaches them.</summary>
public sealed class BackendPoolSpec
{
    /// <summary>Endpoints come from this Service's EndpointSlices (Kubernetes only).</summary>
    public ServiceReference? Service { get; set; }

    /// <summary>Endpoints written out by hand (standalone mode, or targets outside the cluster).</summary>
    public List<StaticEndpoint>? Endpoints { get; set; }

    /// <summary>How Ballast speaks to the endpoints: HTTP1, HTTP2 (h2c or h2 over TLS), GRPC, or raw TCP/UDP for L4 routes.</summary>
    public PoolProtocol Protocol { get; set; } = PoolProtocol.HTTP1;
    public LoadBalancingSpec? LoadBalancing { get; set; }
    public HealthCheckSpec? HealthCheck { get; set; }

    /// <summary>Below this percentage of healthy endpoints, traffic spreads over all of them (Envoy's panic mode).</summary>
    public int? PanicThreshold { get; set; }

    /// <summary>A newly healthy endpoint's weight ramps up over this time.</summary>
    public Duration? SlowStart { get; set; }

    public SessionAffinitySpec? SessionAffinity { get; set; }
    public BackendTlsSpec? Tls { get; set; }
    public CircuitBreakerSpec? CircuitBreaker { get; set; }

    /// <summary>How long a removed or terminating endpoint may finish its in-flight work.</summary>
    public Duration? DrainTimeout { get; set; }

    /// <summary>How long opening a connection to an endpoint may take; 5s when absent.</summary>
    public Duration? ConnectTimeout { get; set; }

    /// <summary>Send a PROXY protocol header to endpoints (L4 pools).</summary>
    public ProxyProtocolVersion? ProxyProtocol { get; set; }

    /// <summary>
    /// Policy attachment: Services in this namespace (<c>{ kind: Service, name: orders }</c>) that Gateway API routes use as
    /// backends get this pool's settings (algorithm, health, affinity, TLS …); the endpoints stay the Service's.
    /// </summary>
    public List<PolicyTargetReference>? TargetRefs { get; set; }
}

/// <summary>An object a policy applies to, in the policy's namespace (Gateway API's LocalPolicyTargetReference).</summary>
public sealed class PolicyTargetReference
{
    /// <summary>The target's API group: absent or "" (the core group) for a Service, gateway.networking.k8s.io for Gateway API objects.</summary>
    public string? Group { get; set; }
    /// <summary>The target's kind: Service (from a BackendPool); HTTPRoute, GRPCRoute or Gateway (from a LoadBalancerPolicy).</summary>
    public string Kind { get; set; } = "";
    /// <summary>The target's name, in the namespace of the resource that names it.</summary>
    public string Name { get; set; } = "";
}

/// <summary>A Service in the pool's namespace whose ready endpoints (from its EndpointSlices) make up the pool.</summary>
public sealed class ServiceReference
{
    /// <summary>The Service's name.</summary>
    public string Name { get; set; } = "";
    /// <summary>The Service port, by number.</summary>
    public int? Port { get; set; }
    /// <summary>The Service port, by name (instead of <see cref="Port"/>).</summary>
    public string? PortName { get; set; }
}

/// <summary>One endpoint written out by hand.</summary>
public sealed class StaticEndpoint
{
    /// <summary><c>host:port</c>, <c>1.2.3.4:80</c> or <c>[::1]:80</c>.</summary>
    public string Address { get; set; } = "";
    /// <summary>Relative share of traffic for the weighted algorithms (0 takes none).</summary>
    public int Weight { get; set; } = 1;
    /// <summary>Takes traffic only while no primary endpoint is available.</summary>
    public bool Backup { get; set; }
    /// <summary>
    /// Finishes its in-flight requests and takes no new ones while another endpoint is available (a terminating
    /// endpoint, as Kubernetes marks them): the first step of a rollout in standalone mode.
    /// </summary>
    public bool Draining { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<PoolProtocol>))]
public enum PoolProtocol { HTTP1, HTTP2, GRPC, TCP, UDP }

[JsonConverter(typeof(JsonStringEnumConverter<ProxyProtocolVersion>))]
public enum ProxyProtocolVersion { None, V1, V2 }

[JsonConverter(typeof(JsonStringEnumConverter<LoadBalancingAlgorithm>))]
public enum LoadBalancingAlgorithm
{
    RoundRobin,
    WeightedRoundRobin,
    Random,
    WeightedRandom,
    LeastConnections,
    WeightedLeastConnections,
    PowerOfTwoChoices,
    LeastResponseTime,
    IpHash,
    ConsistentHash,
    Maglev,
    ConsistentHashBoundedLoad,
}

/// <summary>How requests (or connections) are spread over the pool's endpoints.</summary>
public sealed class LoadBalancingSpec
{
    /// <summary>RoundRobin, WeightedRoundRobin, Random, WeightedRandom, LeastConnections, WeightedLeastConnections, PowerOfTwoChoices, LeastResponseTime, IpHash, ConsistentHash, Maglev or ConsistentHashBoundedLoad.</summary>
    public LoadBalancingAlgorithm Algorithm { get; set; } = LoadBalancingAlgorithm.RoundRobin;
    /// <summary>What the hashing algorithms hash.</summary>
    public HashKeySpec? HashOn { get; set; }
    /// <summary>Ring points per unit of weight (ConsistentHash, ConsistentHashBoundedLoad).</summary>
    public int? VirtualNodes { get; set; }
    /// <summary>Maglev lookup table size; must be prime.</summary>
    public int? TableSize { get; set; }
    /// <summary>ε of bounded-load hashing: no endpoint above (1+ε)·mean load.</summary>
    public double? BoundedLoadFactor { get; set; }
}

/// <summary>Exactly one source of the hash key; <see cref="Fallback"/> when the request lacks it.</summary>
public sealed class HashKeySpec
{
    /// <summary>Hash the client's IP address.</summary>
    public bool? ClientIp { get; set; }
    /// <summary>Hash the value of this request header.</summary>
    public string? Header { get; set; }
    /// <summary>Hash the value of this cookie.</summary>
    public string? Cookie { get; set; }
    /// <summary>Hash the value of this query parameter.</summary>
    public string? Query { get; set; }
    /// <summary>Hash the request path.</summary>
    public bool? Path { get; set; }
    /// <summary>What to hash when the request lacks the key: ClientIp (default) or Random.</summary>
    public HashFallback Fallback { get; set; } = HashFallback.ClientIp;
}

[JsonConverter(typeof(JsonStringEnumConverter<HashFallback>))]
public enum HashFallback { ClientIp, Random }

/// <summary>How endpoints are found unhealthy and healthy again: by probing (active) and by watching real traffic (passive).</summary>
public sealed class HealthCheckSpec
{
    public ActiveHealthCheckSpec? Active { get; set; }
    public PassiveHealthCheckSpec? Passive { get; set; }
}

/// <summary>Periodic probes of every endpoint: at most one of http, tcp, grpc (a TCP connect when none is given).</summary>
public sealed class ActiveHealthCheckSpec
{
    public HttpHealthCheckSpec? Http { get; set; }
    public TcpHealthCheckSpec? Tcp { get; set; }
    public GrpcHealthCheckSpec? Grpc { get; set; }
    /// <summary>Probe this port instead of the traffic port.</summary>
    public int? Port { get; set; }
    /// <summary>Time between two probes of an endpoint; 5s when absent.</summary>
    public Duration? Interval { get; set; }
    /// <summary>How long a probe may take before it counts as failed; 1s when absent.</summary>
    public Duration? Timeout { get; set; }
    /// <summary>Random extra delay, as a percentage of the interval, so replicas do not probe in lockstep.</summary>
    public int? JitterPercent { get; set; }
    /// <summary>Consecutive failed probes that mark an endpoint unhealthy; 3 when absent.</summary>
    public int? UnhealthyThreshold { get; set; }
    /// <summary>Consecutive passed probes that mark an unhealthy endpoint healthy again; 2 when absent.</summary>
    public int? HealthyThreshold { get; set; }
}

/// <summary>An HTTP probe: a request whose answer must have an expected status (and body text).</summary>
public sealed class HttpHealthCheckSpec
{
    /// <summary>The path requested.</summary>
    public string Path { get; set; } = "/";
    /// <summary>The request method; GET when absent.</summary>
    public string? Method { get; set; }
    /// <summary>The Host header sent; the endpoint's address when absent.</summary>
    public string? Host { get; set; }
    /// <summary>Status codes or ranges, e.g. <c>["200", "300-399"]</c>.</summary>
    public List<string>? ExpectStatus { get; set; }
    /// <summary>The answer's body must contain this text.</summary>
    public string? BodyContains { get; set; }
}

/// <summary>A TCP probe: the endpoint is healthy when a connection opens.</summary>
public sealed class TcpHealthCheckSpec { }

/// <summary>A gRPC probe: the standard grpc.health.v1 Check must answer SERVING.</summary>
public sealed class GrpcHealthCheckSpec
{
    /// <summary>The service name asked about; the server's overall health when absent.</summary>
    public string? Service { get; set; }
}

/// <summary>Outlier detection on real traffic: endpoints that keep failing are ejected for a while.</summary>
public sealed class PassiveHealthCheckSpec
{
    /// <summary>Consecutive failed requests (connect errors, resets, 5xx) that eject an endpoint; 5 when absent.</summary>
    public int? ConsecutiveFailures { get; set; }
    /// <summary>How long the first ejection lasts (each repeated ejection lasts longer); 30s when absent.</summary>
    public Duration? EjectionTime { get; set; }
    /// <summary>The longest an ejection may grow to; 5m when absent.</summary>
    public Duration? MaxEjectionTime { get; set; }
    /// <summary>At most this percentage of the pool is ejected at once; 50 when absent.</summary>
    public int? MaxEjectionPercent { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<AffinityType>))]
public enum AffinityType { None, Cookie, Header, ClientIp }

[JsonConverter(typeof(JsonStringEnumConverter<SameSiteMode>))]
public enum SameSiteMode { Lax, Strict, None }

/// <summary>Sticky sessions: requests of one client keep going to the same endpoint while it is healthy.</summary>
public sealed class SessionAffinitySpec
{
    /// <summary>None, Cookie (Ballast sets a cookie), Header (a request header's value) or ClientIp.</summary>
    public AffinityType Type { get; set; } = AffinityType.None;
    /// <summary>The affinity cookie's name; BALLAST when absent.</summary>
    public string? CookieName { get; set; }
    /// <summary>The request header that identifies a session (type Header).</summary>
    public string? HeaderName { get; set; }
    /// <summary>How long an affinity lasts without requests; 1h when absent.</summary>
    public Duration? Ttl { get; set; }
    /// <summary>Set the Secure attribute on the affinity cookie.</summary>
    public bool? Secure { get; set; }
    /// <summary>Set the HttpOnly attribute on the affinity cookie; true when absent.</summary>
    public bool? HttpOnly { get; set; }
    /// <summary>The affinity cookie's SameSite attribute: Lax (default), Strict or None.</summary>
    public SameSiteMode? SameSite { get; set; }
    /// <summary>The affinity cookie's Path; / when absent.</summary>
    public string? Path { get; set; }
    /// <summary>The affinity cookie's Domain; the request's host when absent.</summary>
    public string? Domain { get; set; }
}

/// <summary>TLS from Ballast to the endpoints (re-encryption), verified against a CA.</summary>
public sealed class BackendTlsSpec
{
    /// <summary>A Secret in the pool's namespace whose ca.crt entry verifies the endpoints' certificates.</summary>
    public string? CaSecretRef { get; set; }
    /// <summary>A PEM file with the CA (standalone mode).</summary>
    public string? CaFile { get; set; }
    /// <summary>The SNI name sent and the name the certificate must carry; the endpoint's host when absent.</summary>
    public string? ServerName { get; set; }
    /// <summary>A kubernetes.io/tls Secret presented as client certificate (mutual TLS).</summary>
    public string? ClientCertificateSecretRef { get; set; }
    /// <summary>A PEM client certificate file (standalone mode), with clientKeyFile.</summary>
    public string? ClientCertificateFile { get; set; }
    /// <summary>The PEM private key of clientCertificateFile.</summary>
    public string? ClientKeyFile { get; set; }
    /// <summary>Turns certificate verification off. Named loudly on purpose; never a default.</summary>
    public bool InsecureSkipVerify { get; set; }
}

/// <summary>Limits that protect the endpoints: past them requests fail fast with 503 instead of piling up.</summary>
public sealed class CircuitBreakerSpec
{
    /// <summary>Most open connections to the pool's endpoints.</summary>
    public int? MaxConnections { get; set; }
    /// <summary>Most requests waiting for a connection.</summary>
    public int? MaxPendingRequests { get; set; }
    /// <summary>Most requests in flight to the pool at once.</summary>
    public int? MaxRequests { get; set; }
    /// <summary>Most retries in flight to the pool at once.</summary>
    public int? MaxRetries { get; set; }
}

/// <summary>What the operator observed of this pool.</summary>
public sealed class BackendPoolStatus
{
    /// <summary>The generation of the spec this status describes.</summary>
    public long? ObservedGeneration { get; set; }
    /// <summary>Accepted, ResolvedRefs and Programmed, with reasons.</summary>
    public List<Condition>? Conditions { get; set; }
    public EndpointCounts? Endpoints { get; set; }
}

/// <summary>How many endpoints the pool has, by state.</summary>
public sealed class EndpointCounts
{
    /// <summary>All endpoints, ready or not.</summary>
    public int Total { get; set; }
    /// <summary>Endpoints ready to take traffic.</summary>
    public int Ready { get; set; }
    /// <summary>Endpoints terminating or removed, finishing their in-flight work.</summary>
    public int Draining { get; set; }
}
