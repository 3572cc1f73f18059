using Ballast.Ingress.Metrics;
using Ballast.Ingress.Reloads;
using Ballast.Ingress.Runtime;

namespace Ballast.Ingress.Admin;

/// <summary>
/// The admin listener: <c>/metrics</c> (Prometheus text format), <c>/healthz</c> (the process answers),
/// <c>/readyz</c> (a snapshot is applied and every listener it names is bound), <c>/admin/pools</c> (JSON: every
/// pool's mode and every endpoint's health state), <c>/admin/certificates</c> (JSON: each ACME listener's hostnames,
/// notAfter, renewAt, ready, message; empty unless standalone ACME runs), <c>POST /admin/ha/role</c> (keepalived's
/// notify script sets <c>ballast_ha_role</c>; see HighAvailability/HaRoleEndpoint), and what docs/admin.md describes:
/// <c>/admin/config</c>, <c>/admin/routes</c>, <c>/admin/explain</c>, <c>/admin/status</c> and the status page at <c>/</c>.
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

    /// <summary>The data plane's current state: the routers and pools the proxy serves from (explain asks them).</summary>
    public Func<DataPlaneState> State { get; init; } = () => DataPlaneState.Empty;

    /// <summary>What the sources did with each change (where the configuration comes from, conditions, recent reloads).</summary>
    public ReloadJournal? Reloads { get; init; }

    /// <summary>The certificates the HTTPS listeners present now.</summary>
    public Func<IReadOnlyList<ServedCertificate>> ServedCertificates { get; init; } = () => [];

    /// <summary>What the proxy answers before routing (ACME challenges, the HTTP→HTTPS redirect): explain runs it too.</summary>
    public Func<HttpContext, Task?>? BeforeRouting { get; init; }

    /// <summary>The clock of "now" and certificate days left on the status page.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

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
            case "/admin/config":
                await WriteJsonAsync(response, json => ConfigView.Write(json, State().Snapshot, Reloads), context.RequestAborted);
                break;
            case "/admin/routes":
                await WriteJsonAsync(response, json => RoutesView.Write(json, State()), context.RequestAborted);
                break;
            case "/admin/explain":
                await ExplainView.HandleAsync(context, State(), BeforeRouting);
                break;
            case "/admin/status":
                response.Headers.CacheControl = "no-store";
                await WriteJsonAsync(response, json => StatusView.Write(json, new StatusInputs(State(), _readiness(), Reloads, ServedCertificates(),
                    Certificates(), Time.GetUtcNow())), context.RequestAborted);
                break;
            case "/" or "/status.js" or "/status.css":
                await StatusPage.WriteAsync(context);
                break;
            case HighAvailability.HaRoleEndpoint.Path when HaRoles is not null:
                await HighAvailability.HaRoleEndpoint.HandleAsync(context, HaRoles);
                break;
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                await response.WriteAsync("admin: / (status page), /metrics, /healthz, /readyz, /admin/config, /admin/routes, /admin/explain, /admin/status, "
                    + "/admin/pools, /admin/certificates, POST /admin/ha/role (docs/admin.md)\n");
                break;
        }
    }

    /// <summary>Writes one JSON document (indented: people read these with curl) as the response.</summary>
    internal static async Task WriteJsonAsync(HttpResponse response, Action<System.Text.Json.Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        response.ContentType = "application/json";
        await using var json = new System.Text.Json.Utf8JsonWriter(response.Body, new System.Text.Json.JsonWriterOptions { Indented = true });
        write(json);
        await json.FlushAsync(cancellationToken);
    }
}

/// <summary>A certificate an HTTPS listener presents: where it came from, whom it names, when it expires (never its key).</summary>
public sealed record ServedCertificate(string Listener, string Source, string Subject, IReadOnlyList<string> DnsNames, DateTimeOffset NotAfter);

/// <summary>Whether the ingress serves its current snapshot on every listener, and why not.</summary>
public readonly record struct Readiness(bool Ready, long Version, string Reason);
