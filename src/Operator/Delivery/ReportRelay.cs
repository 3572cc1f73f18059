using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Threading.Channels;

namespace Ballast.Operator.Delivery;

/// <summary>
/// Every operator replica serves snapshots (the Service spreads ingress replicas over all of them), but only the
/// leader writes <c>Programmed</c>, so it must hear what every ingress replica runs. A standby passes each report it
/// receives on to the leader's snapshot server (found in the Lease), with the content hash of the version (its own
/// numbering differs from the leader's) and the replica's own bearer token, so the leader authenticates the replica
/// itself. Best effort and bounded: a full queue drops, the replica reports again at its next poll.
/// </summary>
public sealed class ReportRelay : IAsyncDisposable
{
    private sealed record Report(string Replica, long Version, string? Hash, string Authorization);

    private readonly Func<bool> _isLeader;
    private readonly Func<string?> _leaderEndpoint;
    private readonly ILogger _logger;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Channel<Report> _queue = Channel.CreateBounded<Report>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Reports passed on to the leader (tests).</summary>
    public int Relayed => Volatile.Read(ref _relayed);
    private int _relayed;

    public ReportRelay(Func<bool> isLeader, Func<string?> leaderEndpoint, ILogger logger)
    {
        _isLeader = isLeader;
        _leaderEndpoint = leaderEndpoint;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a report for the leader when this replica is not the leader and knows where it is.</summary>
    public void Relay(string replica, long version, string? hash, string? authorization)
    {
        if (_isLeader() || _leaderEndpoint() is null || string.IsNullOrEmpty(authorization)) return;
        _queue.Writer.TryWrite(new Report(replica, version, hash, authorization));
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var report in _queue.Reader.ReadAllAsync(_stop.Token))
            {
                if (_isLeader() || _leaderEndpoint() is not { } endpoint) continue;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(endpoint), $"v1/replicas/{Uri.EscapeDataString(report.Replica)}"))
                    {
                        Content = JsonContent.Create(new SnapshotEndpoints.ReplicaReport(report.Version, report.Hash), options: SnapshotHub.Json),
                    };
                    request.Headers.Authorization = AuthenticationHeaderValue.Parse(report.Authorization);
                    using var response = await _http.SendAsync(request, _stop.Token);
                    if (response.IsSuccessStatusCode) Interlocked.Increment(ref _relayed);
                    else _logger.LogInformation("relaying {Replica}'s report to the leader: {Status}", report.Replica, (int)response.StatusCode);
                }
                catch (Exception e) when (e is HttpRequestException or FormatException or UriFormatException
                                              || (e is TaskCanceledException && !_stop.IsCancellationRequested))
                {
                    _logger.LogInformation("relaying {Replica}'s report to the leader at {Endpoint}: {Error}", report.Replica, endpoint, e.Message);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return; // the host may be disposed twice
        await _stop.CancelAsync();
        await _loop;
        _http.Dispose();
        _stop.Dispose();
    }
}
