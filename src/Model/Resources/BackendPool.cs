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

public sealed class BackendPoolSpec
{
    /// <summary>Endpoints come from this Service's EndpointSlices (Kubernetes only).</summary>
    public ServiceReference? Service { get; set; }

    /// <summary>Endpoints written out by hand (standalone mode, or targets outside the cluster).</summary>
    public List<StaticEndpoint>? Endpoints { get; set; }

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
    /// <summary>"" (the core group) for a Service.</summary>
    public string Group { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
}

public sealed class ServiceReference
{
    public string Name { get; set; } = "";
    /// <summary>The Service port, by number.</summary>
    public int? Port { get; set; }
    /// <summary>The Service port, by name (instead of <see cref="Port"/>).</summary>
    public string? PortName { get; set; }
}

public sealed class StaticEndpoint
{
    /// <summary><c>host:port</c>, <c>1.2.3.4:80</c> or <c>[::1]:80</c>.</summary>
    public string Address { get; set; } = "";
    public int Weight { get; set; } = 1;
    /// <summary>Takes traffic only while no primary endpoint is available.</summary>
    public bool Backup { get; set; }
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

public sealed class LoadBalancingSpec
{
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
    public bool? ClientIp { get; set; }
    public string? Header { get; set; }
    public string? Cookie { get; set; }
    public string? Query { get; set; }
    public bool? Path { get; set; }
    public HashFallback Fallback { get; set; } = HashFallback.ClientIp;
}

[JsonConverter(typeof(JsonStringEnumConverter<HashFallback>))]
public enum HashFallback { ClientIp, Random }

public sealed class HealthCheckSpec
{
    public ActiveHealthCheckSpec? Active { get; set; }
    public PassiveHealthCheckSpec? Passive { get; set; }
}

public sealed class ActiveHealthCheckSpec
{
    public HttpHealthCheckSpec? Http { get; set; }
    public TcpHealthCheckSpec? Tcp { get; set; }
    public GrpcHealthCheckSpec? Grpc { get; set; }
    /// <summary>Probe this port instead of the traffic port.</summary>
    public int? Port { get; set; }
    public Duration? Interval { get; set; }
    public Duration? Timeout { get; set; }
    /// <summary>Random extra delay, as a percentage of the interval, so replicas do not probe in lockstep.</summary>
    public int? JitterPercent { get; set; }
    public int? UnhealthyThreshold { get; set; }
    public int? HealthyThreshold { get; set; }
}

public sealed class HttpHealthCheckSpec
{
    public string Path { get; set; } = "/";
    public string? Method { get; set; }
    public string? Host { get; set; }
    /// <summary>Status codes or ranges, e.g. <c>["200", "300-399"]</c>.</summary>
    public List<string>? ExpectStatus { get; set; }
    public string? BodyContains { get; set; }
}

public sealed class TcpHealthCheckSpec { }

public sealed class GrpcHealthCheckSpec
{
    public string? Service { get; set; }
}

public sealed class PassiveHealthCheckSpec
{
    public int? ConsecutiveFailures { get; set; }
    public Duration? EjectionTime { get; set; }
    public Duration? MaxEjectionTime { get; set; }
    public int? MaxEjectionPercent { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<AffinityType>))]
public enum AffinityType { None, Cookie, Header, ClientIp }

[JsonConverter(typeof(JsonStringEnumConverter<SameSiteMode>))]
public enum SameSiteMode { Lax, Strict, None }

public sealed class SessionAffinitySpec
{
    public AffinityType Type { get; set; } = AffinityType.None;
    public string? CookieName { get; set; }
    public string? HeaderName { get; set; }
    public Duration? Ttl { get; set; }
    public bool? Secure { get; set; }
    public bool? HttpOnly { get; set; }
    public SameSiteMode? SameSite { get; set; }
    public string? Path { get; set; }
    public string? Domain { get; set; }
}

public sealed class BackendTlsSpec
{
    public string? CaSecretRef { get; set; }
    public string? CaFile { get; set; }
    public string? ServerName { get; set; }
    public string? ClientCertificateSecretRef { get; set; }
    public string? ClientCertificateFile { get; set; }
    public string? ClientKeyFile { get; set; }
    /// <summary>Turns certificate verification off. Named loudly on purpose; never a default.</summary>
    public bool InsecureSkipVerify { get; set; }
}

public sealed class CircuitBreakerSpec
{
    public int? MaxConnections { get; set; }
    public int? MaxPendingRequests { get; set; }
    public int? MaxRequests { get; set; }
    public int? MaxRetries { get; set; }
}

public sealed class BackendPoolStatus
{
    public long? ObservedGeneration { get; set; }
    public List<Condition>? Conditions { get; set; }
    public EndpointCounts? Endpoints { get; set; }
}

public sealed class EndpointCounts
{
    public int Total { get; set; }
    public int Ready { get; set; }
    public int Draining { get; set; }
}
