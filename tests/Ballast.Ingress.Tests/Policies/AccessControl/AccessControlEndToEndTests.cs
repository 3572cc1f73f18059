using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Policies.AccessControl;

[Trait("Category", "Integration")]
public sealed class AccessControlEndToEndTests
{
    [Fact]
    public async Task A_route_deny_list_blocks_its_CIDR_with_403_and_the_backend_never_sees_it()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var blocked = Route("blocked", ("p", 1)) with
        {
            Match = new MatchSnapshot { PathKind = PathMatchKind.Prefix, Path = "/admin" },
            AccessControl = new AccessControlSnapshot { Deny = ["127.0.0.0/8"] },
        };
        var open = Route("open", ("p", 1)) with { AccessControl = new AccessControlSnapshot { Allow = ["127.0.0.0/8"], Deny = ["10.0.0.0/8"] } };
        await ingress.ApplyAsync(Of(1, [Listener(port, blocked, open)], Pool("p", backend)));
        var client = ingress.Client(port);

        var denied = await client.GetAsync("/admin/x");
        var allowed = await client.GetAsync("/other");

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(["/other"], backend.Paths.ToArray());
        Assert.Equal(1, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_access_denied_total{scope=\"route:blocked\"}"));
    }

    [Fact]
    public async Task A_listener_allow_list_refuses_everyone_else_before_routing()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        var listener = Listener(port, Route("r", ("p", 1))) with { AccessControl = new AccessControlSnapshot { Allow = ["10.0.0.0/8"] } };
        await ingress.ApplyAsync(Of(1, [listener], Pool("p", backend)));

        var response = await ingress.Client(port).GetAsync("/");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, backend.Requests);
        Assert.Equal(1, PrometheusText.Value(await ingress.MetricsAsync(), $"ballast_access_denied_total{{scope=\"listener:{listener.Name}\"}}"));
    }
}
