using Prometheus;

namespace Ballast.Ingress.Tls;

/// <summary>TLS metrics, registered in the host's registry (the host passes its registry).</summary>
public sealed class TlsMetrics
{
    public TlsMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        Handshakes = factory.CreateCounter("ballast_tls_handshakes_total",
            "Completed TLS handshakes on HTTPS listeners, by listener, protocol version and ALPN protocol.",
            new CounterConfiguration { LabelNames = ["listener", "version", "alpn"] });
        HandshakeFailures = factory.CreateCounter("ballast_tls_handshake_failures_total",
            "TLS handshakes that did not complete, by listener and reason: protocol (the client offered only versions below TLS 1.2), no_certificate, handshake (failed after the ClientHello: cipher, certificate refused by the client, timeout), client_hello (no ClientHello: closed, timed out or not TLS).",
            new CounterConfiguration { LabelNames = ["listener", "reason"] });
        CertificateExpiry = factory.CreateGauge("ballast_tls_certificate_expiry_seconds",
            "Seconds until each served certificate expires (negative: expired), by listener, source and subject.",
            new GaugeConfiguration { LabelNames = ["listener", "source", "subject"] });
    }

    public Counter Handshakes { get; }
    public Counter HandshakeFailures { get; }
    public Gauge CertificateExpiry { get; }
}
