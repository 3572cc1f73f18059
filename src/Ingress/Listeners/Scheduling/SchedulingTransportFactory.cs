using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ballast.Ingress.Listeners.Scheduling;

/// <summary>
/// Kestrel's transport for every listener of the ingress, in place of its socket transport: the same sockets and
/// options (<see cref="SocketTransportOptions"/>), with the scheduling chosen per connection
/// (<see cref="SchedulingConnectionListener"/>). Registered after Kestrel's own, so Kestrel picks it for every endpoint it can bind.
/// </summary>
public sealed class SchedulingTransportFactory(
    IOptions<SocketTransportOptions> options, ILoggerFactory loggers, SchedulingTransportFactory.Settings settings)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <param name="Mode">How connections are scheduled.</param>
    /// <param name="FirstBytesWait">How long a connection may stay silent before it is handed to Kestrel unclassified.</param>
    public sealed record Settings(ConnectionSchedulingMode Mode, TimeSpan FirstBytesWait, TimeProvider Time);

    private readonly ILogger _logger = loggers.CreateLogger("Ballast.Listeners.Transport");

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IConnectionListener>(SchedulingConnectionListener.Bind(
            endpoint, options.Value, settings.Mode, settings.FirstBytesWait, settings.Time, _logger));

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint or UnixDomainSocketEndPoint or FileHandleEndPoint;
}
