using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Ballast.Acme.Certificates;

/// <summary>
/// <c>ballast_certificate_expiry_timestamp_seconds</c> per managed certificate (Unix seconds of notAfter),
/// on the System.Diagnostics.Metrics meter "Ballast.Acme" (prometheus-net 8 exports meters by default).
/// </summary>
public sealed class CertificateExpiryMetrics : IDisposable
{
    public const string MeterName = "Ballast.Acme";
    public const string InstrumentName = "ballast_certificate_expiry_timestamp_seconds";

    private readonly Meter _meter = new(MeterName);
    private readonly ConcurrentDictionary<string, CertificateManager> _managers = new(StringComparer.Ordinal);

    public CertificateExpiryMetrics()
    {
        _meter.CreateObservableGauge(InstrumentName, Observe, unit: "s",
            description: "notAfter of each certificate obtained through ACME, as Unix time");
    }

    public void Track(CertificateManager manager) => _managers[manager.Name] = manager;
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
