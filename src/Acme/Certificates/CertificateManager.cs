using Ballast.Acme.Issuance;

namespace Ballast.Acme.Certificates;

/// <summary>
/// Keeps one certificate for a set of hostnames: loads it from the store, obtains it when absent, renews it
/// at two thirds of its lifetime, and after a failure retries with jittered exponential back-off.
/// <see cref="TickAsync"/> does whatever is due now (the tests drive it with a FakeTimeProvider);
/// <see cref="RunAsync"/> is the loop the operator / standalone host runs.
/// </summary>
public sealed class CertificateManager : IDisposable
{
    private readonly ICertificateIssuer _issuer;
    private readonly ICertificateStore _store;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly RenewalPolicy _policy;
    private readonly SemaphoreSlim _tick = new(1, 1);
    private bool _loaded;
    private int _failures;
    private DateTimeOffset? _nextAttemptAt;
    private IssuedCertificate? _current;
    private ManagedCertificateStatus _status = ManagedCertificateStatus.Initial;

    /// <summary>Releases the attempt lock; call after <see cref="RunAsync"/> has ended (the issuer belongs to the caller).</summary>
    public void Dispose() => _tick.Dispose();

    public CertificateManager(
        string name,
        IReadOnlyList<string> hostnames,
        ICertificateIssuer issuer,
        ICertificateStore store,
        TimeProvider time,
        Random random,
        RenewalPolicy? policy = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (hostnames is null || hostnames.Count == 0) throw new ArgumentException("hostnames: at least one hostname is needed.", nameof(hostnames));
        Name = name;
        Hostnames = hostnames.Select(h => h.Trim().ToLowerInvariant()).Distinct().ToList();
        _issuer = issuer;
        _store = store;
        _time = time;
        _random = random;
        _policy = policy ?? new RenewalPolicy();
    }

    /// <summary>Key in the store (e.g. the Secret's name).</summary>
    public string Name { get; }
    public IReadOnlyList<string> Hostnames { get; }
    public ManagedCertificateStatus Status => Volatile.Read(ref _status);
    public IssuedCertificate? Current => Volatile.Read(ref _current);

    /// <summary>Raised with each newly obtained certificate (and the one loaded from the store): serve it.</summary>
    public event Action<IssuedCertificate>? CertificateChanged;

    /// <summary>Raised after each failed attempt to obtain or renew (the status already says why).</summary>
    public event Action<ManagedCertificateStatus>? AttemptFailed;

    /// <summary>When the next tick has work: the renewal time, the back-off end, or now.</summary>
    public DateTimeOffset NextDueAt
    {
        get
        {
            var now = _time.GetUtcNow();
            if (!_loaded) return now;
            var due = _current is null ? now : _policy.RenewAt(_current.NotBefore, _current.NotAfter);
            if (_nextAttemptAt is { } retry && retry > due) due = retry;
            return due;
        }
    }

    public async Task<ManagedCertificateStatus> TickAsync(CancellationToken ct)
    {
        await _tick.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_loaded)
            {
                var stored = await _store.LoadAsync(Name, ct).ConfigureAwait(false);
                if (stored is not null && stored.Covers(Hostnames) && stored.NotAfter > _time.GetUtcNow()) Adopt(stored);
                _loaded = true;
            }
            var now = _time.GetUtcNow();
            if (now >= NextDueAt) await ObtainAsync(ct).ConfigureAwait(false);
            else Publish(now, _status.Message);
            return Status;
        }
        finally
        {
            _tick.Release();
        }
    }

    /// <summary>Ticks, then sleeps on the injected clock until the next due time, until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await TickAsync(ct).ConfigureAwait(false);
            var wait = NextDueAt - _time.GetUtcNow();
            // Wake at least hourly so expiry shows in the status even when nothing else happens.
            if (wait > TimeSpan.FromHours(1)) wait = TimeSpan.FromHours(1);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, ct).ConfigureAwait(false);
        }
    }

    private async Task ObtainAsync(CancellationToken ct)
    {
        try
        {
            var issued = await _issuer.IssueAsync(Hostnames, ct).ConfigureAwait(false);
            await _store.SaveAsync(Name, issued, ct).ConfigureAwait(false);
            _failures = 0;
            _nextAttemptAt = null;
            Adopt(issued);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _failures++;
            var now = _time.GetUtcNow();
            _nextAttemptAt = now + _policy.Backoff(_failures, _random);
            var what = _current is null ? "Obtaining the certificate failed" : "Renewing the certificate failed (the current one still serves)";
            Publish(now, $"{what}: {ex.Message} Attempt {_failures}; next at {_nextAttemptAt:O}.");
            AttemptFailed?.Invoke(Status);
        }
    }

    private void Adopt(IssuedCertificate certificate)
    {
        Volatile.Write(ref _current, certificate);
        Publish(_time.GetUtcNow(), $"Certificate {certificate.SerialNumber} valid until {certificate.NotAfter:O}.");
        CertificateChanged?.Invoke(certificate);
    }

    private void Publish(DateTimeOffset now, string message)
    {
        var current = _current;
        var ready = current is not null && now < current.NotAfter;
        if (current is not null && !ready) message = $"Certificate {current.SerialNumber} expired at {current.NotAfter:O}. {message}";
        Volatile.Write(ref _status, new ManagedCertificateStatus(
            ready,
            current?.NotAfter,
            current is null ? null : _policy.RenewAt(current.NotBefore, current.NotAfter),
            current?.SerialNumber,
            message,
            _failures,
            _nextAttemptAt));
    }
}
