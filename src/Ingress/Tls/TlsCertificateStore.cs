using System.Collections.Frozen;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tls;

/// <summary>
/// The certificates of every HTTPS port, switched as a whole when a snapshot is applied: a handshake reads
/// <see cref="Current"/> once and selects from it, so new handshakes use the new certificates while
/// established connections keep the session they negotiated (nothing here touches them). Certificates are
/// loaded once per distinct PEM pair and reused across snapshots; a pair that no snapshot names any more is
/// dropped at the next apply.
/// </summary>
public sealed class TlsCertificateStore
{
    private readonly TlsMetrics _metrics;
    private readonly TimeProvider _time;
    private ILogger _logger;
    private readonly Lock _applyLock = new();
    private Dictionary<(string Cert, string Key), ServerCertificate> _loaded = [];
    private volatile FrozenDictionary<int, CertificateSelector> _current = FrozenDictionary<int, CertificateSelector>.Empty;

    public TlsCertificateStore(TlsMetrics metrics, TimeProvider time, ILogger logger)
    {
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public TlsMetrics Metrics => _metrics;

    /// <summary>The host creates the store before its logging exists; it hands the logger over once built.</summary>
    internal ILogger Logger { set => _logger = value; }

    /// <summary>HTTPS ports → their certificates, as of the last apply.</summary>
    public FrozenDictionary<int, CertificateSelector> Current => _current;

    public bool IsHttpsPort(int port) => _current.ContainsKey(port);

    public void Apply(Snapshot snapshot)
    {
        lock (_applyLock)
        {
            var loaded = new Dictionary<(string, string), ServerCertificate>();
            var selectors = new Dictionary<int, CertificateSelector>();
            foreach (var listener in snapshot.Listeners)
            {
                if (listener.Kind != ListenerKind.Https || selectors.ContainsKey(listener.Port)) continue;
                var certificates = new List<ServerCertificate>();
                foreach (var pem in listener.Tls?.Certificates ?? [])
                {
                    var key = (pem.CertificatePem, pem.KeyPem);
                    if (!loaded.TryGetValue(key, out var cert) && !_loaded.TryGetValue(key, out cert))
                    {
                        try
                        {
                            cert = ServerCertificate.Load(pem);
                        }
                        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
                        {
                            // The Compiler checked it; a snapshot from elsewhere may still carry a bad one: skip it, loudly.
                            _logger.LogError("Listener {Listener}: certificate from {Source} does not load: {Message}", listener.Name, pem.Source, e.Message);
                            continue;
                        }
                    }
                    loaded[key] = cert;
                    certificates.Add(cert);
                }
                if (certificates.Count == 0)
                    _logger.LogError("Listener {Listener} (port {Port}): no usable certificate; handshakes will fail until one is configured.", listener.Name, listener.Port);
                selectors[listener.Port] = new CertificateSelector(listener.Name, certificates);
            }
            _loaded = loaded;
            _current = selectors.ToFrozenDictionary();
            UpdateExpiryMetrics();
        }
    }

    /// <summary>Sets the expiry gauge of every served certificate and removes the series of certificates no longer served.</summary>
    public void UpdateExpiryMetrics()
    {
        var now = _time.GetUtcNow();
        var gauge = _metrics.CertificateExpiry;
        var live = new HashSet<string[]>(LabelComparer.Instance);
        foreach (var selector in _current.Values)
            foreach (var cert in selector.Certificates)
            {
                string[] labels = [selector.Listener, cert.Source, cert.Leaf.Subject];
                live.Add(labels);
                gauge.WithLabels(labels).Set((cert.NotAfter - now).TotalSeconds);
            }
        foreach (var labels in gauge.GetAllLabelValues().ToList())
            if (!live.Contains(labels)) gauge.RemoveLabelled(labels);
    }

    private sealed class LabelComparer : IEqualityComparer<string[]>
    {
        public static readonly LabelComparer Instance = new();
        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);
        public int GetHashCode(string[] obj) => HashCode.Combine(obj.Length > 0 ? obj[0] : "", obj.Length > 1 ? obj[1] : "", obj.Length > 2 ? obj[2] : "");
    }
}
