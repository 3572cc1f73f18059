using Ballast.Acme.Certificates;
using Prometheus;

namespace Ballast.Ingress.Tls.Acme;

/// <summary>
/// Puts the ACME meter's instruments (certificate expiry, renewal failures) into the host's own Prometheus
/// registry, so the admin <c>/metrics</c> shows them. Listens to this host's meter instance only: two hosts in
/// one process (tests) each export their own certificates.
/// </summary>
public sealed class AcmeMetricsExport : IDisposable
{
    private readonly IDisposable _adapter;

    public AcmeMetricsExport(CollectorRegistry registry)
    {
        Certificates = new CertificateExpiryMetrics();
        var meter = Certificates.Meter;
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry),
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter, meter),
        });
    }

    public CertificateExpiryMetrics Certificates { get; }

    public void Dispose()
    {
        _adapter.Dispose();
        Certificates.Dispose();
    }
}
