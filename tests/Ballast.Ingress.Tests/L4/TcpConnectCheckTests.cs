using System.Net;
using Ballast.Ingress.L4.Health;
using Ballast.Ingress.Tests.L4.Support;

namespace Ballast.Ingress.Tests.L4;

public sealed class TcpConnectCheckTests
{
    [Fact]
    public async Task A_listening_endpoint_is_up_and_a_killed_one_is_down()
    {
        var backend = new TcpBackend("a");
        var address = new IPEndPoint(IPAddress.Loopback, backend.Port);
        Assert.True(await TcpConnectCheck.ProbeAsync(address, TimeSpan.FromSeconds(2), TimeProvider.System));
        await Eventually.True(() => backend.Accepted == 1, "the probe's connection reached the backend");
        await backend.DisposeAsync();
        Assert.False(await TcpConnectCheck.ProbeAsync(address, TimeSpan.FromSeconds(2), TimeProvider.System));
    }
}
