using System.Net;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Operator.Tests.Support;

/// <summary>
/// One in-process ingress replica in operator mode: an <see cref="IngressHost"/> whose proxy listeners bind
/// <see cref="Address"/> (two replicas on one machine: 127.0.0.1 and 127.0.0.2, same ports), fed by an
/// <see cref="OperatorSnapshotSource"/> that keeps its last good snapshot in <see cref="StateDirectory"/>.
/// </summary>
internal sealed class Replica : IAsyncDisposable
{
    private Replica(string id, IPAddress address, string stateDirectory, IngressHost host, OperatorSnapshotSource source)
    {
        Id = id;
        Address = address;
        StateDirectory = stateDirectory;
        Host = host;
        Source = source;
    }

    public string Id { get; }
    public IPAddress Address { get; }
    public string StateDirectory { get; }
    public IngressHost Host { get; }
    public OperatorSnapshotSource Source { get; }

    public static Task<Replica> StartAsync(string id, IPAddress address, Uri operatorUri, string token, string stateDirectory) =>
        StartAsync(id, address, operatorUri, () => token, stateDirectory);

    /// <param name="token">Read before every request, as from a projected token file.</param>
    public static async Task<Replica> StartAsync(string id, IPAddress address, Uri operatorUri, Func<string> token, string stateDirectory)
    {
        var host = await IngressHost.StartAsync(new IngressOptions { AdminPort = 0, AdminAddress = IPAddress.Loopback, ListenerAddress = address });
        var source = new OperatorSnapshotSource(operatorUri, token, id, stateDirectory, host, TimeProvider.System, NullLogger.Instance);
        source.Start();
        return new Replica(id, address, stateDirectory, host, source);
    }

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        await Host.DisposeAsync();
    }
}
