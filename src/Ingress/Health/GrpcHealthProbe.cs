using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Ballast.Ingress.Health;

/// <summary>
/// The gRPC health protocol: <c>grpc.health.v1.Health/Check</c> for the configured service ("" = the server
/// as a whole); passes on <c>SERVING</c>. One channel per endpoint over the pool's probe transport (h2c, or
/// TLS when the pool re-encrypts); the call's deadline is the probe's cancellation.
/// </summary>
public sealed class GrpcHealthProbe : IHealthProbe
{
    private readonly GrpcChannel _channel;
    private readonly Grpc.Health.V1.Health.HealthClient _client;
    private readonly HealthCheckRequest _request;

    public GrpcHealthProbe(ProbeTransport transport, string? service, ProbeTarget target)
    {
        _channel = GrpcChannel.ForAddress(target.Uri(transport.Scheme, "/"), new GrpcChannelOptions
        {
            HttpHandler = transport.Handler,
            DisposeHttpClient = false,
        });
        _client = new Grpc.Health.V1.Health.HealthClient(_channel);
        _request = new HealthCheckRequest { Service = service ?? "" };
    }

    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.CheckAsync(_request, cancellationToken: cancellationToken);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? ProbeResult.Pass("gRPC SERVING")
                : ProbeResult.Fail($"gRPC {response.Status}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            return ProbeResult.Fail($"gRPC {e.StatusCode}: {e.Status.Detail}");
        }
    }

    public void Dispose() => _channel.Dispose();
}
