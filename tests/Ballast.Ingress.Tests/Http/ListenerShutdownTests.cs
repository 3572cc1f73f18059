using System.Net;
using Ballast.Ingress.Http;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Http;

/// <summary>Which requests close their connection after the response: all while closing, else those made to a moved address.</summary>
public sealed class ListenerShutdownTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.10");

    private static DefaultHttpContext RequestTo(IPAddress local)
    {
        var context = new DefaultHttpContext();
        context.Connection.LocalIpAddress = local;
        return context;
    }

    [Fact]
    public void Connections_to_a_moved_address_close_others_keep_alive()
    {
        var shutdown = new ListenerShutdown();
        Assert.False(shutdown.ClosesConnectionOf(RequestTo(Vip)));

        shutdown.MovedAway = [Vip];

        Assert.True(shutdown.ClosesConnectionOf(RequestTo(Vip)));
        Assert.True(shutdown.ClosesConnectionOf(RequestTo(Vip.MapToIPv6()))); // an IPv4 client on a [::] listener
        Assert.False(shutdown.ClosesConnectionOf(RequestTo(IPAddress.Parse("192.0.2.2"))));
    }

    [Fact]
    public void An_address_that_came_back_keeps_its_connections_alive_again()
    {
        var shutdown = new ListenerShutdown { MovedAway = [Vip] };

        shutdown.MovedAway = [];

        Assert.False(shutdown.ClosesConnectionOf(RequestTo(Vip)));
        Assert.Empty(shutdown.MovedAway);
    }

    [Fact]
    public void While_closing_every_connection_closes()
    {
        var shutdown = new ListenerShutdown();

        shutdown.Enter(ShutdownPhase.Closing);

        Assert.True(shutdown.ClosesConnectionOf(RequestTo(IPAddress.Parse("192.0.2.2"))));
    }
}
