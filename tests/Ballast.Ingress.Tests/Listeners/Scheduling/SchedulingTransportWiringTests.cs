using Ballast.Ingress.Listeners.Scheduling;
using Ballast.Ingress.Tests.Support;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Ballast.Ingress.Tests.Listeners.Scheduling;

[Trait("Category", "Integration")]
public sealed class SchedulingTransportWiringTests
{
    [Fact]
    public async Task Kestrel_binds_the_ingress_listeners_through_the_scheduling_transport()
    {
        await using var ingress = await IngressFixture.StartAsync();
        // Kestrel takes the last registered factory that can bind an endpoint (the socket transport UseKestrel adds comes first).
        var factories = ingress.Host.Services.GetServices<IConnectionListenerFactory>().ToList();
        Assert.IsType<SchedulingTransportFactory>(factories[^1]);
        Assert.Equal(ConnectionSchedulingMode.PerConnection, ingress.Host.Services.GetRequiredService<SchedulingTransportFactory.Settings>().Mode);
    }
}
