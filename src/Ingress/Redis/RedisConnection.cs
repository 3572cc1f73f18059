using Ballast.Ingress.Metrics;
using Prometheus;
using StackExchange.Redis;

namespace Ballast.Ingress.Redis;

/// <summary>
/// The ingress's one connection to Redis, shared by whoever needs it (the affinity table, the global rate
/// limiter): resolve it from DI (absent in single-replica mode). Connects lazily in the background and never
/// blocks or fails the request path: commands fail fast while disconnected (no backlog), callers bound each
/// operation with <see cref="OperationTimeout"/> and report failures, which set <see cref="IsDegraded"/> and the
/// gauge <c>ballast_affinity_degraded</c>. <see cref="Restored"/> fires when Redis answers again, for
/// callers to reconcile what they decided alone.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly RedisOptions _options;
    private readonly ILogger _logger;
    private readonly Gauge _degradedGauge;
    private readonly Task<ConnectionMultiplexer?> _connecting;
    private int _degraded;

    public RedisConnection(RedisOptions options, IngressMetrics metrics, ILogger<RedisConnection> logger)
    {
        _options = options;
        _logger = logger;
        _degradedGauge = Prometheus.Metrics.WithCustomRegistry(metrics.Registry).CreateGauge("ballast_affinity_degraded",
            "1 while the shared Redis is unreachable or slow and replicas decide affinity locally.");
        _connecting = ConnectAsync();
    }

    public TimeSpan OperationTimeout => _options.OperationTimeout;
    public bool IsDegraded => Volatile.Read(ref _degraded) == 1;

    /// <summary>Raised (on a background thread) when Redis answers again after being unreachable.</summary>
    public event Action? Restored;

    /// <summary>The database, or null while the first connect has not finished (then decide locally).</summary>
    public IDatabase? Database => _connecting.IsCompletedSuccessfully && _connecting.Result is { } mux ? mux.GetDatabase() : null;

    /// <summary>The multiplexer once connected (for other users of the connection: pub/sub, scripts).</summary>
    public Task<ConnectionMultiplexer?> Multiplexer => _connecting;

    private async Task<ConnectionMultiplexer?> ConnectAsync()
    {
        var config = ConfigurationOptions.Parse(_options.Endpoint);
        if (_options.Password is { } password) config.Password = password;
        config.AbortOnConnectFail = false; // keep retrying in the background; the replica serves meanwhile
        config.ConnectTimeout = (int)_options.ConnectTimeout.TotalMilliseconds;
        config.AsyncTimeout = Math.Max(1, (int)_options.OperationTimeout.TotalMilliseconds);
        config.SyncTimeout = config.AsyncTimeout;
        config.ConnectRetry = 1;
        config.BacklogPolicy = BacklogPolicy.FailFast; // while disconnected, fail now rather than queue behind a timeout
        config.ReconnectRetryPolicy = new LinearRetry(250);
        config.KeepAlive = 1; // notice a dead server within about a second
        try
        {
            var mux = await ConnectionMultiplexer.ConnectAsync(config);
            mux.ConnectionFailed += (_, e) => ReportFailure(e.Exception);
            mux.ConnectionRestored += (_, _) => ReportSuccess();
            if (!mux.IsConnected) ReportFailure(null);
            return mux;
        }
        catch (Exception e)
        {
            ReportFailure(e);
            return null;
        }
    }

    /// <summary>An operation failed or timed out: degraded until one succeeds.</summary>
    public void ReportFailure(Exception? e)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            _degradedGauge.Set(1);
            _logger.LogWarning("Redis {Endpoint} unreachable ({Error}); deciding locally until it returns.", _options.Endpoint, e?.Message ?? "not connected");
        }
    }

    /// <summary>An operation succeeded: no longer degraded; on the transition, <see cref="Restored"/> fires.</summary>
    public void ReportSuccess()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            _degradedGauge.Set(0);
            _logger.LogInformation("Redis {Endpoint} reachable again.", _options.Endpoint);
            ThreadPool.UnsafeQueueUserWorkItem(_ => Restored?.Invoke(), null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        var mux = await _connecting;
        if (mux is not null) await mux.DisposeAsync();
    }
}
