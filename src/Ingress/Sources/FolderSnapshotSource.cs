using System.Collections.Immutable;

using Ballast.Model.Compilation;
using Ballast.Model.Yaml;

namespace Ballast.Ingress.Sources;

/// <summary>
/// Standalone mode: loads the CR-shaped YAML of a folder, compiles it with the same Compiler the operator
/// uses, applies the snapshot, and reloads when a file changes (debounced: an editor's save is several
/// events). A change with any error is rejected as a whole: the last good snapshot keeps serving, each
/// diagnostic is logged with its file, line and field path, and <c>ballast_reload_failures_total</c> rises.
/// The snapshot version is this source's counter (the Compiler keeps no state).
/// </summary>
public sealed class FolderSnapshotSource : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ISnapshotTarget _host;
    private readonly TimeSpan _debounce;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private FileSystemWatcher? _watcher;
    // TLS files outside the folder (Tls/TlsFileResolver): changes there reload too.
    private Tls.ExternalFileWatcher? _tlsFiles;
    private long _version;
    private int _disposed;
    // The last change was rejected: the next good one says it was fixed.
    private bool _rejected;
    // The data plane refused the folder for a reason that can pass by itself (a port another process holds): the
    // same folder is tried again, first after FirstRetry, then twice as long each time up to LongestRetry.
    private string? _retryingFor;
    private TimeSpan _retryDelay = FirstRetry;
    internal static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    public FolderSnapshotSource(string directory, ISnapshotTarget host, TimeProvider time, TimeSpan debounce, ILogger<FolderSnapshotSource> logger)
    {
        _directory = Path.GetFullPath(directory);
        _host = host;
        _debounce = debounce;
        _logger = logger;
        host.Reloads.Source = "folder " + _directory;
        _timer = time.CreateTimer(_ => _ = ReloadAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (host.Acme is { } acme)
        {
            // ACME managers: a new certificate or token is a recompile; a new token is applied before the CA looks.
            acme.Changed += NotifyChanged;
            acme.PublishChallenges = ReloadAsync;
        }
    }

    /// <summary>The diagnostics of the last load (errors of a rejected change, or warnings of an applied one).</summary>
    public ImmutableArray<Diagnostic> LastDiagnostics { get; private set; } = [];

    /// <summary>Completed load attempts (applied, unchanged or rejected): lets callers wait for a reload.</summary>
    public int Attempts => Volatile.Read(ref _attempts);
    private int _attempts;

    /// <summary>Loads and applies the folder once, then watches it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await ReloadAsync(cancellationToken);
        _watcher = new FileSystemWatcher(_directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        _watcher.Changed += (_, _) => NotifyChanged();
        _watcher.Created += (_, _) => NotifyChanged();
        _watcher.Deleted += (_, _) => NotifyChanged();
        _watcher.Renamed += (_, _) => NotifyChanged();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>A file changed: (re)start the quiet period; the reload runs once it passes without another change.</summary>
    public void NotifyChanged()
    {
        if (Volatile.Read(ref _disposed) == 0) _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Loads, compiles and applies the folder now. True when the folder's snapshot is serving.</summary>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _reloadGate.WaitAsync(cancellationToken);
        try
        {
            var applied = await ReloadCoreAsync(cancellationToken);
            _retryingFor = null; // applied, or rejected for the folder's own errors: the next change decides
            _retryDelay = FirstRetry;
            return applied;
        }
        catch (SnapshotRejectedException e)
        {
            // The data plane said why (a port in use): one line, no stack trace; the last good snapshot keeps serving.
            // Retried until it binds: the same reason again is not a new failure (no new line, no new count).
            if (_retryingFor != e.Message)
            {
                _logger.LogError("Rejected the change in {Directory}: {Reason}; still serving snapshot {Version}; retrying from {Delay} s to every {Longest} s.",
                    _directory, e.Message, _host.CurrentSnapshot.Version, FirstRetry.TotalSeconds, LongestRetry.TotalSeconds);
                _host.CountRejected([e.Message]);
                _retryingFor = e.Message;
                _retryDelay = FirstRetry;
            }
            if (Volatile.Read(ref _disposed) == 0) _timer.Change(_retryDelay, Timeout.InfiniteTimeSpan);
            _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, LongestRetry.Ticks));
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never crash the process over a configuration change.
            _logger.LogError(e, "Reload of {Directory} failed; the last good snapshot keeps serving.", _directory);
            _host.CountRejected([e.Message]);
            return false;
        }
        finally
        {
            Interlocked.Increment(ref _attempts);
            _reloadGate.Release();
        }
    }

    private async Task<bool> ReloadCoreAsync(CancellationToken cancellationToken)
    {
        var loaded = ResourceLoader.LoadDirectory(_directory);
        var files = Tls.TlsFileResolver.Resolve(loaded.Policies, loaded.Pools, _directory, Policies.Auth.AuthFiles.Paths(loaded.Policies));
        if (Volatile.Read(ref _disposed) == 0) (_tlsFiles ??= new Tls.ExternalFileWatcher(NotifyChanged)).Watch(files.Directories);
        var compiled = Compiler.Compile(new CompilerInput
        {
            Policies = loaded.Policies,
            Pools = loaded.Pools,
            // Gateway API and Ingress objects and the Services, EndpointSlices, Secrets and Namespaces of the folder stand for a cluster's.
            Inputs = loaded.Inputs,
            Services = loaded.Services,
            Secrets = loaded.Secrets.SetItems(files.Secrets),
            NamespaceLabels = loaded.NamespaceLabels,
            InvalidResources = loaded.Invalid,
            Ingress = _host.IngressServing,
            AcmeCertificates = _host.Acme?.Certificates ?? System.Collections.Immutable.ImmutableDictionary<string, ResolvedSecret>.Empty,
            AcmeChallenges = _host.Acme?.Challenges ?? System.Collections.Immutable.ImmutableDictionary<string, string>.Empty,
            Version = _version + 1,
        });
        var diagnostics = loaded.Diagnostics.AddRange(compiled.Diagnostics.Select(loaded.Locate));
        LastDiagnostics = diagnostics;
        if (diagnostics.Any(d => d.Severity == Severity.Error))
        {
            foreach (var d in diagnostics) Log(d);
            _logger.LogError("Rejected the change in {Directory}: {Errors} error(s); still serving snapshot {Version}.",
                _directory, diagnostics.Count(d => d.Severity == Severity.Error), _host.CurrentSnapshot.Version);
            _host.CountRejected(diagnostics.Where(d => d.Severity == Severity.Error).Select(d => d.ToString()));
            _rejected = true;
            return false;
        }
        foreach (var d in diagnostics) Log(d);
        var fixedNow = _rejected;
        _rejected = false;
        _host.Metrics.SetUnsupportedAnnotations(Ballast.Model.Ingresses.IngressConditions.UnsupportedAnnotations(compiled));
        // Managers follow the accepted configuration only (a rejected change orders nothing).
        _host.Acme?.Reconcile(Ballast.Acme.Listeners.AcmeListeners.From(loaded.Policies));

        if (_host.HasSnapshot && compiled.Snapshot.ContentHash == _host.CurrentSnapshot.ContentHash && compiled.Snapshot.ContentHash != "")
        {
            // After a rejected edit, say that the folder is good again even though nothing changes.
            if (fixedNow)
                _logger.LogInformation("{Directory} is valid again; unchanged: same as the serving snapshot {Version}.", _directory, _host.CurrentSnapshot.Version);
            else
                _logger.LogDebug("{Directory} changed on disk but compiles to the snapshot already serving.", _directory);
            _host.Reloads.RecordUnchanged(_host.CurrentSnapshot.Version);
            return true;
        }
        var first = !_host.HasSnapshot;
        await _host.ApplyAsync(compiled.Snapshot, cancellationToken);
        _version = compiled.Snapshot.Version;
        _host.Reloads.RecordApplied(compiled.Snapshot, compiled.Statuses.Values, diagnostics.Where(d => d.Severity == Severity.Warning));
        if (fixedNow) _logger.LogInformation("{Directory} is valid again; the change was applied as snapshot {Version}.", _directory, _version);
        else if (first) _logger.LogInformation("Serving {Directory} as snapshot {Version}.", _directory, _version);
        else _logger.LogInformation("The change in {Directory} was applied as snapshot {Version}.", _directory, _version);
        return true;
    }

    /// <summary>One line per diagnostic, in a scope naming its resource (kind, namespace, name, field, file, line).</summary>
    private void Log(Diagnostic d)
    {
        using var scope = Logging.ResourceLogScope.Begin(_logger, d);
        _logger.Log(d.Severity == Severity.Error ? LogLevel.Error : LogLevel.Warning, "{Diagnostic}", d.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _watcher?.Dispose();
        _tlsFiles?.Dispose();
        await _timer.DisposeAsync();
        // Let a reload in progress finish before the host goes away.
        await _reloadGate.WaitAsync();
        _reloadGate.Release();
    }
}
