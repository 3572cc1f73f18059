using Ballast.Ingress.Metrics;
using Ballast.Ingress.Runtime;

namespace Ballast.Ingress.Admin;

/// <summary>
/// The admin listener: <c>/metrics</c> (Prometheus text format), <c>/healthz</c> (the process answers),
/// <c>/readyz</c> (a snapshot is applied and every listener it names is bound), <c>/admin/pools</c> (JSON: every
/// pool's mode and every endpoint's health state), <c>/admin/certificates</c> (JSON: each ACME listener's hostnames,
/// notAfter, renewAt, ready, message; empty unless standalone ACME runs), <c>POST /admin/ha/role</c> (keepalived's
/// notify script sets <c>ballast_ha_role</c>; see HighAvailability/HaRoleEndpoint).
/// </summary>
public sealed class AdminHandler
{
    private readonly IngressMetrics _metrics;
    private readonly Func<Readiness> _readiness;
    private readonly Func<IEnumerable<PoolRuntime>> _pools;

    public AdminHandler(IngressMetrics metrics, Func<Readiness> readiness, Func<IEnumerable<PoolRuntime>>? pools = null)
    {
        _pools = pools ?? (() => []);
        _metrics = metrics;
        _readiness = readiness;
    }

    /// <summary>The ACME listeners' certificate states (standalone mode).</summary>
    public Func<IReadOnlyList<Ballast.Acme.Listeners.AcmeListenerStatus>> Certificates { get; init; } = () => [];

    /// <summary>The VRRP role keepalived reports for this node (<c>ballast_ha_role</c>).</summary>
    public HighAvailability.HaRoles? HaRoles { get; init; }

    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        switch (context.Request.Path.Value)
        {
            case "/metrics":
                response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await _metrics.Registry.CollectAndExportAsTextAsync(response.Body, context.RequestAborted);
                break;
            case "/healthz":
                response.ContentType = "text/plain";
                await response.WriteAsync("ok\n");
                break;
            case "/readyz":
                var readiness = _readiness();
                response.StatusCode = readiness.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
                response.ContentType = "text/plain";
                await response.WriteAsync(readiness.Ready ? $"ready: snapshot {readiness.Version}\n" : $"not ready: {readiness.Reason}\n");
                break;
            case "/admin/pools":
                response.ContentType = "application/json";
                await PoolsView.WriteAsync(response.Body, _pools(), context.RequestAborted);
                break;
            case "/admin/certificates":
                response.ContentType = "application/json";
                await CertificatesView.WriteAsync(response.Body, Certificates(), context.RequestAborted);
                break;
            case HighAvailability.HaRoleEndpoint.Path when HaRoles is not null:
                await HighAvailability.HaRoleEndpoint.HandleAsync(context, HaRoles);
                break;
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                await response.WriteAsync("admin: /metrics, /healthz, /readyz, /admin/pools, /admin/certificates, POST /admin/ha/role\n");
                break;
        }
    }
}

/// <summary>Whether the ingress serves its current snapshot on every listener, and why not.</summary>
public readonly record struct Readiness(bool Ready, long Version, string Reason);
