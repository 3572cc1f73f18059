using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.L4.Flows;
using Ballast.Ingress.L4.Metrics;
using Ballast.Ingress.L4.Tcp;
using Ballast.Ingress.L4.Tls;
using Ballast.Ingress.L4.Udp;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.L4.Wiring;

/// <summary>
/// The data plane's L4 listeners (TCP, TLS passthrough, UDP) on their own sockets, beside Kestrel's HTTP ones.
/// <see cref="Apply"/> follows each new <see cref="DataPlaneState"/>: a listener whose address, port, kind and
/// settings are unchanged keeps its socket and connections and only gets the new source (or SNI router), so
/// open connections stay on the pool they started with; a changed one is rebound; a removed one stops accepting
/// at once and its open connections get the largest pool drain timeout. Endpoints that leave a pool or turn
/// draining keep their open L4 connections until their pool's drainTimeout (<see cref="L4ConnectionTracker"/>).
/// One apply at a time (the host serialises them); not on the hot path.
/// </summary>
public sealed class L4ListenerSet : IAsyncDisposable
{
    private readonly L4Metrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<(ListenerKind, string, int), Running> _running = [];
    private readonly Dictionary<string, ConnectionLimit> _poolLimits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FlowTable> _flowTables = new(StringComparer.Ordinal);
    private Affinity.AffinityTable? _ownPins;
    private readonly Dictionary<EndpointState, CancellationTokenSource> _draining = [];
    private readonly List<Task> _stopping = [];
    private HashSet<EndpointState> _serving = [];
    private TimeSpan _largestDrain = TimeSpan.FromSeconds(30);

    public L4ListenerSet(L4Metrics metrics, TimeProvider time, ILogger logger)
    {
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>The affinity table (shared through Redis when configured) for pools with client-IP affinity; null: none.</summary>
    public Affinity.AffinityRouter? Affinity { get; init; }

    /// <summary>Every open L4 connection of this replica, by endpoint.</summary>
    public L4ConnectionTracker Tracker { get; } = new();

    /// <summary>L4 listeners of the current snapshot that could not be bound ("name address:port: error").</summary>
    public IReadOnlyList<string> Failures { get; private set; } = [];

    /// <summary>The bound address of each running L4 listener, by listener name.</summary>
    public IReadOnlyDictionary<string, IPEndPoint> Bound =>
        _running.Values.ToDictionary(r => r.Config.Name, r => r.LocalEndPoint, StringComparer.Ordinal);

    public static bool IsL4(ListenerKind kind) => kind is ListenerKind.Tcp or ListenerKind.Udp or ListenerKind.TlsPassthrough;

    public void Apply(DataPlaneState state)
    {
        var snapshot = state.Snapshot;
        _largestDrain = snapshot.Pools.IsEmpty ? TimeSpan.FromSeconds(30) : snapshot.Pools.Max(p => p.DrainTimeout);
        var sources = BuildSources(state);
        var failures = new List<string>();
        var wanted = new HashSet<(ListenerKind, string, int)>();

        foreach (var listener in snapshot.Listeners)
        {
            if (!IsL4(listener.Kind)) continue;
            var key = (listener.Kind, listener.Address, listener.Port);
            if (!wanted.Add(key))
            {
                _logger.LogWarning("L4 listener {Listener}: {Address}:{Port} is already used by another listener; ignored.", listener.Name, listener.Address, listener.Port);
                continue;
            }
            var target = BuildTarget(listener, sources);
            if (target is null)
            {
                _logger.LogWarning("L4 listener {Listener} has no route to an existing pool; not listening.", listener.Name);
                wanted.Remove(key);
                continue;
            }
            if (_running.TryGetValue(key, out var running) && SameSettings(running.Config, listener))
            {
                running.Swap(target);
                running.Config = listener;
                continue;
            }
            if (running is not null) StopLater(_running[key]);
            _running.Remove(key);
            try
            {
                _running[key] = Start(listener, target);
            }
            catch (Exception e) when (e is SocketException or FormatException)
            {
                failures.Add($"{listener.Name} {listener.Address}:{listener.Port}: {e.Message}");
                _logger.LogError("L4 listener {Listener} on {Address}:{Port} could not start: {Error}", listener.Name, listener.Address, listener.Port, e.Message);
            }
        }
        foreach (var key in _running.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            StopLater(_running[key]);
            _running.Remove(key);
        }
        Failures = failures;
        DrainLeavingEndpoints(state);
    }

    /// <summary>One source per pool for this snapshot; the connection cap per pool id survives snapshots while its maximum is unchanged.</summary>
    private Dictionary<string, IL4EndpointSource> BuildSources(DataPlaneState state)
    {
        var sources = new Dictionary<string, IL4EndpointSource>(StringComparer.Ordinal);
        foreach (var (id, pool) in state.Pools)
        {
            var maximum = pool.Config.CircuitBreaker?.MaxConnections;
            if (!_poolLimits.TryGetValue(id, out var limit) || limit.Maximum != new ConnectionLimit(maximum).Maximum)
            {
                // A new maximum starts a new count; connections already open release the limit they acquired.
                limit = new ConnectionLimit(maximum);
                _poolLimits[id] = limit;
            }
            sources[id] = new PoolEndpointSource(pool, limit, Affinity, FlowTableOf(pool));
        }
        foreach (var id in _poolLimits.Keys.Where(id => !state.Pools.ContainsKey(id)).ToList()) _poolLimits.Remove(id);
        foreach (var id in _flowTables.Keys.Where(id => !state.Pools.TryGetValue(id, out var pool) || !PoolEndpointSource.PlacesByFlow(pool.Config, Affinity is not null)).ToList())
        {
            _flowTables.Remove(id, out var table);
            table!.Dispose();
        }
        return sources;
    }

    /// <summary>The pool id's flow table (kept across snapshots while the pool hashes UDP flows), or null.</summary>
    private FlowTable? FlowTableOf(PoolRuntime pool)
    {
        if (!PoolEndpointSource.PlacesByFlow(pool.Config, Affinity is not null)) return null;
        if (!_flowTables.TryGetValue(pool.Id, out var table))
        {
            var pins = Affinity?.Table ?? (_ownPins ??= new Affinity.AffinityTable(_time));
            table = new FlowTable(pool.Id, pins, Affinity?.Shared, _metrics, _time, _logger);
            _flowTables[pool.Id] = table;
        }
        table.Attach(pool);
        return table;
    }

    /// <summary>The flow table of a pool id (tests, the status page), or null.</summary>
    public FlowTable? Flows(string poolId) => _flowTables.GetValueOrDefault(poolId);

    private static IL4EndpointSource? Backends(L4RouteSnapshot route, Dictionary<string, IL4EndpointSource> sources)
    {
        var backends = route.Backends
            .Where(b => b.Weight > 0 && sources.ContainsKey(b.PoolId))
            .Select(b => (sources[b.PoolId], b.Weight))
            .ToList();
        return backends.Count switch
        {
            0 => null,
            1 => backends[0].Item1,
            _ => new WeightedL4Source(backends),
        };
    }

    /// <summary>TCP/UDP: the listener's (first) route; TLS passthrough: an SNI router over all its routes.</summary>
    private static object? BuildTarget(ListenerSnapshot listener, Dictionary<string, IL4EndpointSource> sources)
    {
        if (listener.Kind != ListenerKind.TlsPassthrough)
            return listener.L4Routes.Select(r => Backends(r, sources)).FirstOrDefault(s => s is not null);

        var byHost = new List<KeyValuePair<string, IL4EndpointSource>>();
        IL4EndpointSource? fallback = null;
        foreach (var route in listener.L4Routes)
        {
            if (Backends(route, sources) is not { } source) continue;
            if (route.Hostnames.IsEmpty) fallback ??= source;
            else byHost.AddRange(route.Hostnames.Select(h => KeyValuePair.Create(h, source)));
        }
        return byHost.Count == 0 && fallback is null ? null : new SniRouter<IL4EndpointSource>(byHost, fallback);
    }

    private static bool SameSettings(ListenerSnapshot a, ListenerSnapshot b) =>
        a.Name == b.Name && a.AcceptProxyProtocol == b.AcceptProxyProtocol && a.MaxConnections == b.MaxConnections;

    private Running Start(ListenerSnapshot listener, object target)
    {
        var bind = new IPEndPoint(IPAddress.Parse(listener.Address), listener.Port);
        if (listener.Kind == ListenerKind.Udp)
        {
            var udp = new UdpProxyListener(new UdpListenerOptions
            {
                Name = listener.Name,
                Bind = bind,
                MaxSessions = listener.MaxConnections,
                AcceptProxyProtocol = listener.AcceptProxyProtocol,
                TimeProvider = _time,
                Metrics = _metrics,
            }, (IL4EndpointSource)target);
            udp.Start();
            return new Running(listener, udp);
        }
        var options = new L4ListenerOptions
        {
            Name = listener.Name,
            Bind = bind,
            MaxConnections = listener.MaxConnections,
            AcceptProxyProtocol = listener.AcceptProxyProtocol,
            TimeProvider = _time,
            Metrics = _metrics,
            Tracker = Tracker,
        };
        StreamProxyListener stream = listener.Kind == ListenerKind.TlsPassthrough
            ? new TlsPassthroughListener(options, (SniRouter<IL4EndpointSource>)target)
            : new TcpProxyListener(options, (IL4EndpointSource)target);
        try
        {
            stream.Start();
        }
        catch
        {
            _ = stream.DisposeAsync().AsTask(); // best effort: the start failure is what the caller must see
            throw;
        }
        return new Running(listener, stream);
    }

    /// <summary>Stops accepting now (the port is free when this returns); open connections get the drain timeout.</summary>
    private void StopLater(Running running)
    {
        var task = running.Listener switch
        {
            StreamProxyListener stream => stream.StopAsync(_largestDrain),
            UdpProxyListener udp => udp.DisposeAsync().AsTask(),
            _ => Task.CompletedTask,
        };
        lock (_stopping)
        {
            _stopping.RemoveAll(t => t.IsCompleted);
            _stopping.Add(task);
        }
    }

    /// <summary>
    /// Endpoints that served in the previous snapshot and no longer do (removed from their pool, or now
    /// draining): their open L4 connections are closed at the pool's drainTimeout unless they come back first.
    /// </summary>
    private void DrainLeavingEndpoints(DataPlaneState state)
    {
        var serving = new HashSet<EndpointState>();
        var drainTimeouts = new Dictionary<EndpointState, TimeSpan>();
        foreach (var pool in state.Pools.Values)
        {
            foreach (var endpoint in pool.Endpoints)
            {
                drainTimeouts[endpoint] = pool.Config.DrainTimeout;
                if (!endpoint.Config.Draining) serving.Add(endpoint);
            }
        }
        foreach (var endpoint in serving)
        {
            if (_draining.Remove(endpoint, out var cancel)) cancel.Cancel(); // back in service: keep its connections
        }
        foreach (var endpoint in _serving)
        {
            if (serving.Contains(endpoint) || _draining.ContainsKey(endpoint)) continue;
            var timeout = drainTimeouts.TryGetValue(endpoint, out var t) ? t : _largestDrain;
            var cts = new CancellationTokenSource();
            _draining[endpoint] = cts;
            _ = DrainAsync(endpoint, timeout, cts);
        }
        _serving = serving;
    }

    private async Task DrainAsync(EndpointState endpoint, TimeSpan timeout, CancellationTokenSource cts)
    {
        try
        {
            await Tracker.DrainAsync(endpoint, timeout, _time, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The endpoint came back before its deadline.
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var running in _running.Values)
        {
            if (running.Listener is StreamProxyListener stream) await stream.DisposeAsync().ConfigureAwait(false);
            else if (running.Listener is UdpProxyListener udp) await udp.DisposeAsync().ConfigureAwait(false);
        }
        _running.Clear();
        foreach (var cts in _draining.Values) cts.Cancel();
        _draining.Clear();
        foreach (var table in _flowTables.Values) table.Dispose();
        _flowTables.Clear();
    }

    private sealed class Running(ListenerSnapshot config, object listener)
    {
        public ListenerSnapshot Config { get; set; } = config;
        public object Listener { get; } = listener;

        public IPEndPoint LocalEndPoint => Listener switch
        {
            StreamProxyListener stream => stream.LocalEndPoint,
            UdpProxyListener udp => udp.LocalEndPoint,
            _ => throw new InvalidOperationException(),
        };

        public void Swap(object target)
        {
            switch (Listener)
            {
                case TcpProxyListener tcp: tcp.Source = (IL4EndpointSource)target; break;
                case TlsPassthroughListener tls: tls.Router = (SniRouter<IL4EndpointSource>)target; break;
                case UdpProxyListener udp: udp.Source = (IL4EndpointSource)target; break;
            }
        }
    }
}
