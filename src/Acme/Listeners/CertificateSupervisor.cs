using System.Collections.Immutable;
using System.Text;
using Ballast.Acme.Certificates;
using Ballast.Acme.Challenges;
using Ballast.Acme.Issuance;
using Ballast.Model.Compilation;

namespace Ballast.Acme.Listeners;

/// <summary>
/// Runs one <see cref="CertificateManager"/> per policy listener with <c>tls.acme</c>: <see cref="Reconcile"/>
/// starts managers for new listeners and stops those of removed or changed ones. What the managers hold goes
/// into the compile: <see cref="Certificates"/> (<c>CompilerInput.AcmeCertificates</c>) and
/// <see cref="Challenges"/> (<c>CompilerInput.AcmeChallenges</c>, so every replica answers HTTP-01).
/// <see cref="Changed"/> fires when either changes or a status does: recompile, rewrite status.
/// Used by the standalone ingress and by the operator's leader alike.
/// </summary>
public sealed class CertificateSupervisor : IAsyncDisposable
{
    private readonly CertificateSupervisorOptions _options;
    private readonly CertificateExpiryMetrics _metrics;
    private readonly Random _seeds;
    private readonly Lock _gate = new();
    private ImmutableDictionary<string, Entry> _entries = ImmutableDictionary<string, Entry>.Empty.WithComparers(StringComparer.Ordinal);
    private bool _disposed;

    public CertificateSupervisor(CertificateSupervisorOptions options, CertificateExpiryMetrics metrics)
    {
        _options = options;
        _metrics = metrics;
        _seeds = new Random(options.Seed);
        ChallengeStore.Changed += OnChanged;
    }

    /// <summary>Pending HTTP-01 tokens of every manager (one store: they all answer on the same port 80).</summary>
    public InMemoryHttp01ChallengeStore ChallengeStore { get; } = new();

    public IReadOnlyDictionary<string, string> Challenges => ChallengeStore.Current;

    /// <summary>
    /// Awaited after a token is added and before the CA is told to fetch it: recompile and apply (standalone) or
    /// publish the snapshot (operator), so the CA's first fetch finds the token. Set once by the host.
    /// </summary>
    public Func<CancellationToken, Task>? PublishChallenges { get; set; }

    /// <summary>A certificate, a token or a status changed.</summary>
    public event Action? Changed;

    /// <summary>Issued certificates by listener key (<c>namespace/policy/listener</c>), as the Compiler takes them.</summary>
    public IReadOnlyDictionary<string, ResolvedSecret> Certificates
    {
        get
        {
            var result = ImmutableDictionary.CreateBuilder<string, ResolvedSecret>(StringComparer.Ordinal);
            foreach (var (key, entry) in Volatile.Read(ref _entries))
            {
                if (entry.Manager?.Current is { } current) result[key] = entry.Secret(current);
            }
            return result.ToImmutable();
        }
    }

    /// <summary>Every ACME listener's state, ordered by key (admin endpoint, policy status).</summary>
    public IReadOnlyList<AcmeListenerStatus> Statuses =>
        [.. Volatile.Read(ref _entries).Values.OrderBy(e => e.Listener.Key, StringComparer.Ordinal).Select(e => e.Status())];

    /// <summary>Starts managers for listeners that are new or whose order changed; stops the others.</summary>
    public void Reconcile(IReadOnlyList<AcmeListener> wanted)
    {
        var stopped = new List<Entry>();
        lock (_gate)
        {
            if (_disposed) return;
            var next = _entries.ToBuilder();
            var keys = wanted.Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var (key, entry) in _entries)
            {
                if (!keys.Contains(key)) { stopped.Add(entry); next.Remove(key); }
            }
            foreach (var listener in wanted)
            {
                if (next.TryGetValue(listener.Key, out var existing))
                {
                    if (existing.Listener.SameOrder(listener) && existing.Listener.Problem == listener.Problem) continue;
                    stopped.Add(existing);
                }
                next[listener.Key] = Start(listener);
            }
            Volatile.Write(ref _entries, next.ToImmutable());
        }
        foreach (var entry in stopped) _ = StopAsync(entry);
        if (stopped.Count > 0) OnChanged();
    }

    private Entry Start(AcmeListener listener)
    {
        if (listener.Problem is not null) return new Entry(listener, null, null, Task.CompletedTask);
        var issuer = new AccountKeyIssuer(listener, _options, ChallengeStore, ct => PublishChallenges?.Invoke(ct) ?? Task.CompletedTask);
        var manager = new CertificateManager(_options.StoreName(listener), listener.Hostnames, issuer, _options.Store, _options.ManagerTime,
            new Random(_seeds.Next()), _options.Renewal);
        manager.CertificateChanged += _ => OnChanged();
        manager.AttemptFailed += _ => OnChanged();
        _metrics.Track(manager);
        var stop = new CancellationTokenSource();
        var run = Task.Run(() => RunAsync(manager, stop.Token));
        return new Entry(listener, manager, stop, run) { Issuer = issuer };
    }

    /// <summary>The manager's loop; an exception from the store (not an ACME failure, those are statuses) is retried a minute later.</summary>
    private async Task RunAsync(CertificateManager manager, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await manager.RunAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                try { await Task.Delay(TimeSpan.FromMinutes(1), _options.ManagerTime, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task StopAsync(Entry entry)
    {
        if (entry.Manager is null) return;
        _metrics.Untrack(entry.Manager.Name);
        await entry.Stop!.CancelAsync().ConfigureAwait(false);
        try { await entry.Run.ConfigureAwait(false); } catch (OperationCanceledException) { }
        entry.Stop.Dispose();
        // The loop has ended: nothing uses the manager or its issuer any more.
        entry.Manager.Dispose();
        entry.Issuer?.Dispose();
    }

    private void OnChanged() => Changed?.Invoke();

    public async ValueTask DisposeAsync()
    {
        ImmutableDictionary<string, Entry> entries;
        lock (_gate)
        {
            _disposed = true;
            entries = _entries;
            _entries = _entries.Clear();
        }
        await Task.WhenAll(entries.Values.Select(StopAsync)).ConfigureAwait(false);
    }

    private sealed record Entry(AcmeListener Listener, CertificateManager? Manager, CancellationTokenSource? Stop, Task Run)
    {
        /// <summary>The manager's issuer, owned by this entry (disposed when the manager stops).</summary>
        public AccountKeyIssuer? Issuer { get; init; }

        // One reference, swapped whole: compiles on other threads read it without a lock.
        private Converted? _secret;

        /// <summary>The certificate as a kubernetes.io/tls Secret's data, converted once per certificate.</summary>
        public ResolvedSecret Secret(IssuedCertificate certificate)
        {
            if (Volatile.Read(ref _secret) is { } cached && ReferenceEquals(cached.Certificate, certificate)) return cached.Secret;
            var secret = new ResolvedSecret("kubernetes.io/tls", ImmutableDictionary<string, byte[]>.Empty
                .Add("tls.crt", Encoding.UTF8.GetBytes(certificate.ChainPem))
                .Add("tls.key", Encoding.UTF8.GetBytes(certificate.PrivateKeyPem)));
            Volatile.Write(ref _secret, new Converted(certificate, secret));
            return secret;
        }

        private sealed record Converted(IssuedCertificate Certificate, ResolvedSecret Secret);

        public AcmeListenerStatus Status() => new(Listener,
            Listener.Problem is { } problem ? ManagedCertificateStatus.Initial with { Message = problem } : Manager!.Status);
    }
}

/// <summary>One ACME listener's certificate state, for <c>/admin/certificates</c> and the policy's <c>CertificateReady</c>.</summary>
public sealed record AcmeListenerStatus(AcmeListener Listener, ManagedCertificateStatus Certificate)
{
    public string Key => Listener.Key;
}
