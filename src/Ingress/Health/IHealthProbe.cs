namespace Ballast.Ingress.Health;

/// <summary>One kind of active check bound to one endpoint. Probes of one endpoint never overlap; the
/// token is cancelled at the check's timeout (on the health layer's clock).</summary>
public interface IHealthProbe : IDisposable
{
    Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken);
}
