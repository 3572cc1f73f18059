using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ballast.Ha.Tests.Lab;

/// <summary>
/// A steady request rate to a URL from the client namespace, one connection per request (or, with keepAlive, pooled
/// keep-alive connections); records every request's start, end, outcome and which node it went through (the backend
/// echoes the proxy's address in <c>X-Via</c>).
/// </summary>
public sealed class Load : IAsyncDisposable
{
    /// <param name="Closed">The response said <c>Connection: close</c>: the server ended the keep-alive connection.</param>
    public sealed record Result(TimeSpan Started, TimeSpan Ended, bool Ok, string? Via, string Error, bool Closed = false);

    private readonly HttpClient _client;
    private readonly string _url;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _requests = [];
    private readonly Task _loop;
    private int _inFlight;

    private int _connections;

    /// <param name="maxConnections">With <paramref name="keepAlive"/>: the most connections the client keeps open.</param>
    public Load(NamespaceSockets client, string url, int perSecond, bool keepAlive = false, int maxConnections = int.MaxValue)
    {
        _client = client.HttpClient(TimeSpan.FromSeconds(10), keepAlive, maxConnections, () => Interlocked.Increment(ref _connections));
        _url = url;
        _interval = TimeSpan.FromSeconds(1.0 / perSecond);
        _loop = Task.Run(RunAsync);
    }

    public Stopwatch Clock { get; } = Stopwatch.StartNew();
    /// <summary>When <see cref="Clock"/> started (<see cref="Stopwatch.GetTimestamp"/>): to compare two loads' times.</summary>
    public long StartedAt { get; } = Stopwatch.GetTimestamp();
    public ConcurrentQueue<Result> Results { get; } = new();
    public int InFlight => Volatile.Read(ref _inFlight);
    /// <summary>Connections the client has made. A keep-alive client makes a new one only when one ended: a
    /// connection reset under a request that .NET retried on a new connection shows here, not as a failure.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private async Task RunAsync()
    {
        var next = Clock.Elapsed;
        while (!_stop.IsCancellationRequested)
        {
            _requests.Add(SendAsync());
            next += _interval;
            var wait = next - Clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait); // the load's fixed rate, not a synchronisation
        }
    }

    private async Task SendAsync()
    {
        Interlocked.Increment(ref _inFlight);
        var started = Clock.Elapsed;
        try
        {
            using var response = await _client.GetAsync(_url);
            var via = response.Headers.TryGetValues("X-Via", out var v) ? v.Single() : null;
            Results.Enqueue(new Result(started, Clock.Elapsed, response.IsSuccessStatusCode, via, response.IsSuccessStatusCode ? "" : $"status {(int)response.StatusCode}",
                response.Headers.ConnectionClose == true));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Results.Enqueue(new Result(started, Clock.Elapsed, false, null, e.GetType().Name + ": " + e.Message));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Stops sending and waits for every request to finish.</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await _loop;
        await Task.WhenAll(_requests);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _client.Dispose();
    }
}
