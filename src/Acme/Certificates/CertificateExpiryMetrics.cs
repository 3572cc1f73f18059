using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Ballast.Acme.Certificates;

/// <summary>
/// <c>ballast_certificate_expiry_timestamp_seconds</c> per managed certificate (Unix seconds of notAfter) and
/// <c>ballast_certificate_renewal_failures_total{host}</c> (failed attempts to obtain or renew), on the
/// System.Diagnostics.Metrics meter "Ballast". prometheus-net's meter adapter names a series
/// <c>{meter}_{instrument}</c>, so the meter is "Ballast" and the instruments carry the rest of the name
/// (a meter "Ballast.Acme" would export <c>ballast_acme_…</c>, a name no alert uses). It exports meters into its default registry
/// by itself (the operator); a host with its own registry listens to <see cref="Meter"/> (this instance only,
/// so two in-process hosts do not see each other's certificates).
/// </summary>
public sealed class CertificateExpiryMetrics : IDisposable
{
    public const string MeterName = "Ballast";
    public const string InstrumentName = "certificate_expiry_timestamp_seconds";
    public const string FailuresInstrumentName = "certificate_renewal_failures_total";

    private readonly Meter _meter = new(MeterName);
    private readonly ConcurrentDictionary<string, CertificateManager> _managers = new(StringComparer.Ordinal);
    private readonly Counter<long> _failures;

    public CertificateExpiryMetrics()
    {
        _meter.CreateObservableGauge(InstrumentName, Observe, unit: "s",
            description: "notAfter of each certificate obtained through ACME, as Unix time");
        _failures = _meter.CreateCounter<long>(FailuresInstrumentName,
            description: "Failed attempts to obtain or renew a certificate through ACME, by hostname");
    }

    public Meter Meter => _meter;

    /// <summary>Tracks the manager's expiry and counts its failed attempts, once per hostname.</summary>
    public void Track(CertificateManager manager)
    {
        _managers[manager.Name] = manager;
        // A zero baseline per host: increase() over a counter that first appears at 1 reads 0, so without it
        // the alert on renewal failures would miss the very first one.
        foreach (var host in manager.Hostnames) _failures.Add(0, new KeyValuePair<string, object?>("host", host));
        manager.AttemptFailed += _ =>
        {
            foreach (var host in manager.Hostnames) _failures.Add(1, new KeyValuePair<string, object?>("host", host));
        };
    }
    public void Untrack(string name) => _managers.TryRemove(name, out _);

    private IEnumerable<Measurement<double>> Observe()
    {
        foreach (var (name, manager) in _managers)
        {
            if (manager.Status.NotAfter is { } notAfter)
            {
                yield return new Measurement<double>(notAfter.ToUnixTimeSeconds(),
                    new KeyValuePair<string, object?>("certificate", name),
                    new KeyValuePair<string, object?>("hostnames", string.Join(",", manager.Hostnames)));
            }
        }
    }

    public void Dispose() => _meter.Dispose();
}
