using Ballast.Ingress.Hosting;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// A <see cref="RecordingOrigin"/> behind an in-process ingress: one listener, route "r" to pool "p" (HTTP/1.1) whose
/// only endpoint is the origin. The setup of the byte-level edge tests.
/// </summary>
public sealed class OriginBehindIngress : IAsyncDisposable
{
    private OriginBehindIngress(RecordingOrigin origin, IngressFixture ingress, int port)
    {
        Origin = origin;
        Ingress = ingress;
        Port = port;
    }

    public RecordingOrigin Origin { get; }
    public IngressFixture Ingress { get; }
    /// <summary>The listener's port.</summary>
    public int Port { get; }

    public static async Task<OriginBehindIngress> StartAsync(IngressOptions? options = null)
    {
        var origin = RecordingOrigin.Start();
        var ingress = await IngressFixture.StartAsync(options);
        var port = FreePort.Next();
        var pool = Pool("p", PoolProtocol.HTTP1, new EndpointSnapshot { Host = "127.0.0.1", Port = origin.Port });
        await ingress.ApplyAsync(Of(1, [Listener(port, Route("r", ("p", 1)))], pool));
        return new OriginBehindIngress(origin, ingress, port);
    }

    public async ValueTask DisposeAsync()
    {
        await Ingress.DisposeAsync();
        await Origin.DisposeAsync();
    }
}
