using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.L4.Metrics;
using Ballast.Ingress.Runtime;

namespace Ballast.Ingress.L4.Tcp;

/// <summary>
/// Opens the backend side of an L4 connection: pick, connect with the pool's timeout, and on failure report it
/// (passive health, metrics) and try another endpoint — always before any client byte has been sent, so a
/// retry can never duplicate data.
/// </summary>
internal static class BackendConnector
{
    public readonly record struct Result(Socket? Socket, EndpointState? Endpoint, bool HadEndpoint);

    public static async Task<Result> ConnectAsync(IL4EndpointSource source, IPEndPoint client, int listenerPort, int maxAttempts, TimeProvider time, L4Metrics metrics, CancellationToken cancellationToken)
    {
        EndpointState? avoid = null;
        var hadEndpoint = false;
        for (var attempt = 0; attempt < maxAttempts; attempt++)
        {
            // The first attempt places the flow (affinity table, flow hash); a retry avoids the endpoint that failed.
            var endpoint = attempt == 0
                ? await source.PlaceAsync(client, listenerPort).ConfigureAwait(false)
                : source.Pick(ClientAddressHash.Context(source, client, avoid, listenerPort));
            if (endpoint is null) break;
            hadEndpoint = true;
            var socket = await TryConnectAsync(endpoint.SocketAddress, source.ConnectTimeout, time, cancellationToken).ConfigureAwait(false);
            if (socket is not null)
            {
                source.ReportConnectSuccess(endpoint);
                return new Result(socket, endpoint, true);
            }
            source.ReportConnectFailure(endpoint);
            metrics.For(source.PoolId, endpoint).ConnectFailures.Inc();
            avoid = endpoint;
            if (cancellationToken.IsCancellationRequested) break;
        }
        return new Result(null, null, hadEndpoint);
    }

    private static async Task<Socket?> TryConnectAsync(EndPoint address, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var family = address is IPEndPoint ip ? ip.AddressFamily : AddressFamily.InterNetworkV6;
        var socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (family == AddressFamily.InterNetworkV6) socket.DualMode = true;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var stop = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        try
        {
            await socket.ConnectAsync(address, deadline.Token).ConfigureAwait(false);
            return socket;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            return null;
        }
    }
}
