namespace Ballast.Ingress.Sources;

/// <summary>
/// Operator mode of a replica (<c>ballast run --operator URL ...</c>): the ingress applies the snapshots the
/// operator delivers (<see cref="SnapshotClient"/>'s long-poll) instead of compiling a folder. The last good
/// snapshot is kept in <c>STATE_DIR/last-good-snapshot.json</c> and applied first at start, so a replica that
/// starts while the operator is away serves what it last ran. A snapshot the data plane rejects is logged and
/// counted (<c>ballast_reload_failures_total</c>); it is neither reported as applied nor saved.
/// </summary>
public sealed class OperatorSnapshotSource : IAsyncDisposable
{
    public const string LastGoodFileName = "last-good-snapshot.json";

    private readonly HttpClient _http;
    private readonly ISnapshotTarget _host;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public OperatorSnapshotSource(Uri operatorUri, string token, string replicaId, string stateDirectory, ISnapshotTarget host, TimeProvider time, ILogger logger)
        : this(operatorUri, string.IsNullOrWhiteSpace(token) ? throw new ArgumentException("--token-file: the token is empty", nameof(token)) : () => token.Trim(),
            replicaId, stateDirectory, host, time, logger)
    { }

    /// <param name="token">Read before every request (a projected ServiceAccount token file the kubelet rotates: <see cref="TokenFile"/>).</param>
    public OperatorSnapshotSource(Uri operatorUri, Func<string> token, string replicaId, string stateDirectory, ISnapshotTarget host, TimeProvider time, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(replicaId)) throw new ArgumentException("--replica-id: empty", nameof(replicaId));
        _host = host;
        _logger = logger;
        host.Reloads.Source = "operator " + operatorUri;
        // Longer than any long-poll the operator holds (30 s by default): a poll must end on the operator's side.
        _http = new HttpClient { BaseAddress = operatorUri, Timeout = TimeSpan.FromMinutes(2) };
        Client = new SnapshotClient(_http, replicaId, token, Path.Combine(stateDirectory, LastGoodFileName), ApplyAsync, time, logger);
    }

    public SnapshotClient Client { get; }

    /// <summary>Starts from the last good file (if any), then follows the operator in the background.</summary>
    public void Start() => _loop = Task.Run(() => Client.RunAsync(_stop.Token));

    private async Task ApplyAsync(Model.Snapshots.Snapshot snapshot, CancellationToken ct)
    {
        try
        {
            await _host.ApplyAsync(snapshot, ct);
            // The operator writes each resource's conditions on the resource itself; the snapshot names their generations.
            _host.Reloads.RecordApplied(snapshot, [], []);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _host.CountRejected([$"snapshot {snapshot.Version}: {e.Message}"]);
            _logger.LogError("Snapshot {Version} from the operator was rejected ({Error}); still serving {Current}.", snapshot.Version, e.Message, _host.CurrentSnapshot.Version);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        _http.Dispose();
        _stop.Dispose();
    }
}
