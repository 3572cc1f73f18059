using System.Collections.Concurrent;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Metrics;
using Prometheus;

namespace Ballast.Ingress.L4.Metrics;

/// <summary>
/// The L4 path's Prometheus metrics. Labelled children are resolved once per (listener, pool) and per
/// (pool, endpoint) and cached, so a connection looks them up once and a read only increments a counter.
/// One instance per registry: tests pass their own registry so they can read exact values.
/// </summary>
public sealed class L4Metrics
{
    private readonly Counter _connections;
    private readonly Gauge _active;
    private readonly Counter _bytes;
    private readonly Counter _connectFailures;
    private readonly Gauge _udpSessions;
    private readonly Counter _datagrams;
    private readonly Counter _flowLookups;
    private readonly Counter _flowPins;
    private readonly Counter _flowPinWrites;
    private readonly ConcurrentDictionary<(string Listener, string Pool), ListenerPoolMetrics> _listenerPools = new();
    private readonly ConcurrentDictionary<(string Pool, string Endpoint), EndpointMetrics> _endpoints = new();

    public L4Metrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var series = SeriesOwners.Of(registry);
        series.OnRetired(Evict);
        _connections = series.Track(factory.CreateCounter("ballast_l4_connections_total",
            "L4 connections (UDP: sessions) by outcome: accepted, refused (a connection limit), no_endpoint, connect_failed, rejected (bad PROXY header or ClientHello, no SNI route, too slow).",
            new CounterConfiguration { LabelNames = ["listener", "pool", "result"] }));
        _active = series.Track(factory.CreateGauge("ballast_l4_active_connections", "L4 connections open now (proxied to a backend).",
            new GaugeConfiguration { LabelNames = ["listener", "pool"] }));
        _bytes = series.Track(factory.CreateCounter("ballast_l4_bytes_total", "Bytes relayed; direction in = client to backend, out = backend to client.",
            new CounterConfiguration { LabelNames = ["pool", "endpoint", "direction"] }));
        _connectFailures = series.Track(factory.CreateCounter("ballast_l4_connect_failures_total", "Failed connect attempts to a backend endpoint (refused, unreachable, timed out).",
            new CounterConfiguration { LabelNames = ["pool", "endpoint"] }));
        _udpSessions = series.Track(factory.CreateGauge("ballast_l4_udp_sessions", "UDP client sessions open now.",
            new GaugeConfiguration { LabelNames = ["listener", "pool"] }));
        _datagrams = series.Track(factory.CreateCounter("ballast_l4_udp_datagrams_total", "UDP datagrams relayed; direction in = client to backend, out = backend to client.",
            new CounterConfiguration { LabelNames = ["pool", "endpoint", "direction"] }));
        _flowLookups = series.Track(factory.CreateCounter("ballast_l4_flow_table_lookups_total",
            "Flow-table lookups of new UDP flows whose hash choice an earlier endpoint set made differently, by pool and result: " +
            "local_hit (pinned on this replica), shared_hit (pinned by another replica, found in Redis), miss (not pinned: the current choice), " +
            "unavailable (Redis unreachable or slow: the current choice, decided locally).",
            new CounterConfiguration { LabelNames = ["pool", "result"] }));
        _flowPins = series.Track(factory.CreateCounter("ballast_l4_flow_pins_total",
            "Open UDP flows pinned to their backend because an endpoint-set change moved their hash choice, by pool.",
            new CounterConfiguration { LabelNames = ["pool"] }));
        _flowPinWrites = series.Track(factory.CreateCounter("ballast_l4_flow_pin_writes_total",
            "Flow pins written to the shared Redis, by pool and result: shared (written), deferred (Redis unreachable: written when it returns).",
            new CounterConfiguration { LabelNames = ["pool", "result"] }));
    }

    /// <summary>The process-wide instance on the default registry (what /metrics serves).</summary>
    public static L4Metrics Default { get; } = new(Prometheus.Metrics.DefaultRegistry);

    /// <param name="pool">Empty when the connection ended before a pool was chosen (listener limit, bad ClientHello).</param>
    public ListenerPoolMetrics For(string listener, string pool)
        => _listenerPools.GetOrAdd((listener, pool), static (key, self) => new ListenerPoolMetrics(self, key.Listener, key.Pool), this);

    /// <summary>The flow table's counters of one pool (not cached: a flow table resolves them once).</summary>
    public FlowTableMetrics ForFlows(string pool) => new(this, pool);

    public EndpointMetrics For(string pool, EndpointState endpoint)
        => _endpoints.GetOrAdd((pool, endpoint.Id), static (key, self) => new EndpointMetrics(self, key.Pool, key.Endpoint), this);

    /// <summary>Forgets the cached children of a retired entity, so a later one of the same name gets fresh series.</summary>
    private void Evict(RetiredEntity entity)
    {
        switch (entity.Kind)
        {
            case RetiredKind.Pool:
                foreach (var key in _listenerPools.Keys) if (key.Pool == entity.Id) _listenerPools.TryRemove(key, out _);
                foreach (var key in _endpoints.Keys) if (key.Pool == entity.Id) _endpoints.TryRemove(key, out _);
                break;
            case RetiredKind.Listener:
                foreach (var key in _listenerPools.Keys) if (key.Listener == entity.Id) _listenerPools.TryRemove(key, out _);
                break;
            case RetiredKind.Endpoint:
                _endpoints.TryRemove((entity.InPool!, entity.Id), out _);
                break;
        }
    }

    public sealed class ListenerPoolMetrics
    {
        internal ListenerPoolMetrics(L4Metrics m, string listener, string pool)
        {
            Accepted = m._connections.WithLabels(listener, pool, "accepted");
            Refused = m._connections.WithLabels(listener, pool, "refused");
            NoEndpoint = m._connections.WithLabels(listener, pool, "no_endpoint");
            ConnectFailed = m._connections.WithLabels(listener, pool, "connect_failed");
            Rejected = m._connections.WithLabels(listener, pool, "rejected");
            Active = m._active.WithLabels(listener, pool);
            UdpSessions = m._udpSessions.WithLabels(listener, pool);
        }

        public Counter.Child Accepted { get; }
        public Counter.Child Refused { get; }
        public Counter.Child NoEndpoint { get; }
        public Counter.Child ConnectFailed { get; }
        public Counter.Child Rejected { get; }
        public Gauge.Child Active { get; }
        public Gauge.Child UdpSessions { get; }
    }

    public sealed class EndpointMetrics
    {
        internal EndpointMetrics(L4Metrics m, string pool, string endpoint)
        {
            BytesIn = m._bytes.WithLabels(pool, endpoint, "in");
            BytesOut = m._bytes.WithLabels(pool, endpoint, "out");
            ConnectFailures = m._connectFailures.WithLabels(pool, endpoint);
            DatagramsIn = m._datagrams.WithLabels(pool, endpoint, "in");
            DatagramsOut = m._datagrams.WithLabels(pool, endpoint, "out");
        }

        public Counter.Child BytesIn { get; }
        public Counter.Child BytesOut { get; }
        public Counter.Child ConnectFailures { get; }
        public Counter.Child DatagramsIn { get; }
        public Counter.Child DatagramsOut { get; }
    }

    public sealed class FlowTableMetrics
    {
        internal FlowTableMetrics(L4Metrics m, string pool)
        {
            LocalHits = m._flowLookups.WithLabels(pool, "local_hit");
            SharedHits = m._flowLookups.WithLabels(pool, "shared_hit");
            Misses = m._flowLookups.WithLabels(pool, "miss");
            Unavailable = m._flowLookups.WithLabels(pool, "unavailable");
            Pins = m._flowPins.WithLabels(pool);
            PinsShared = m._flowPinWrites.WithLabels(pool, "shared");
            PinsDeferred = m._flowPinWrites.WithLabels(pool, "deferred");
        }

        public Counter.Child LocalHits { get; }
        public Counter.Child SharedHits { get; }
        public Counter.Child Misses { get; }
        public Counter.Child Unavailable { get; }
        public Counter.Child Pins { get; }
        public Counter.Child PinsShared { get; }
        public Counter.Child PinsDeferred { get; }
    }
}
