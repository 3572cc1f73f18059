using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Health;

/// <summary>Builds the probe of a pool's active check for one endpoint.</summary>
public static class HealthProbes
{
    public static IHealthProbe Create(ActiveHealthSnapshot check, ProbeTransport transport, EndpointSnapshot endpoint)
    {
        var target = ProbeTarget.Of(endpoint, check);
        return check.Kind switch
        {
            ActiveCheckKind.Http => new HttpHealthProbe(transport, check, target),
            ActiveCheckKind.Tcp => new TcpHealthProbe(target),
            ActiveCheckKind.Grpc => new GrpcHealthProbe(transport, check.GrpcService, target),
            _ => throw new ArgumentOutOfRangeException(nameof(check), check.Kind, "healthCheck.active: unknown check kind"),
        };
    }
}
