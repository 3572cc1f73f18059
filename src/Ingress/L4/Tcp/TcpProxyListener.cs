using System.Net.Sockets;

namespace Ballast.Ingress.L4.Tcp;

/// <summary>
/// A plain TCP listener (protocol: TCP): every connection goes to one pool. <see cref="Source"/> can be swapped
/// when a new snapshot arrives; open connections keep the pool they started with.
/// </summary>
public sealed class TcpProxyListener : StreamProxyListener
{
    private volatile IL4EndpointSource _source;

    public TcpProxyListener(L4ListenerOptions options, IL4EndpointSource source) : base(options) => _source = source;

    public IL4EndpointSource Source
    {
        get => _source;
        set => _source = value;
    }

    private protected override ValueTask<IL4EndpointSource?> RouteAsync(Socket client, Prelude prelude, CancellationToken handshakeDeadline)
        => ValueTask.FromResult<IL4EndpointSource?>(_source.Choose());
}
