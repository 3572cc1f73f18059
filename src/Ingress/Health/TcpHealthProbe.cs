using System.Net.Sockets;

namespace Ballast.Ingress.Health;

/// <summary>Passes when a TCP connection to the target opens; the connection is closed at once.</summary>
public sealed class TcpHealthProbe : IHealthProbe
{
    private readonly ProbeTarget _target;

    public TcpHealthProbe(ProbeTarget target) => _target = target;

    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_target.EndPoint, cancellationToken);
            return ProbeResult.Pass("connected");
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail($"connect to {_target.Authority}: {e.SocketErrorCode}");
        }
    }

    public void Dispose()
    {
    }
}
