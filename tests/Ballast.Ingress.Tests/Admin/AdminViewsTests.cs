using System.Text.Json;
using Ballast.Ingress.Sources;
using Ballast.Ingress.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Ingress.Tests.Admin;

/// <summary><c>/admin/config</c>, <c>/admin/routes</c> and <c>/admin/status</c> on a folder served by the real file provider.</summary>
[Trait("Category", "Integration")]
public sealed class AdminViewsTests
{
    [Fact]
    public async Task Config_shows_the_applied_snapshot_its_source_and_each_resources_conditions_and_keeps_them_when_a_change_is_rejected()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var folder = Directory.CreateTempSubdirectory("ballast-admin-config-").FullName;
        try
        {
            var port = FreePort.Next();
            File.WriteAllText(Path.Combine(folder, "site.yaml"), Site(port, backend.Port, weight: 1));
            await using var source = new FolderSnapshotSource(folder, ingress.Host, TimeProvider.System, TimeSpan.FromMilliseconds(50), NullLogger<FolderSnapshotSource>.Instance);
            Assert.True(await source.ReloadAsync());

            using (var config = JsonDocument.Parse(await ingress.Admin.GetStringAsync("/admin/config")))
            {
                var root = config.RootElement;
                Assert.Equal(1, root.GetProperty("version").GetInt64());
                Assert.Equal(ingress.Host.CurrentSnapshot.ContentHash, root.GetProperty("contentHash").GetString());
                Assert.NotEqual("", root.GetProperty("contentHash").GetString());
                Assert.Equal("folder " + Path.GetFullPath(folder), root.GetProperty("source").GetString());
                var listener = Assert.Single(root.GetProperty("listeners").EnumerateArray());
                Assert.Equal(port, listener.GetProperty("port").GetInt32());
                var resources = root.GetProperty("resources").EnumerateArray().ToDictionary(
                    r => $"{r.GetProperty("kind").GetString()} {r.GetProperty("namespace").GetString()}/{r.GetProperty("name").GetString()}");
                Assert.Equal(["BackendPool default/api", "LoadBalancerPolicy default/site"], resources.Keys.Order());
                var accepted = resources["BackendPool default/api"].GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "Accepted");
                Assert.Equal("True", accepted.GetProperty("status").GetString());
            }

            // A bad edit is rejected: the config still shows snapshot 1, the status page's reloads show the error and its field.
            File.WriteAllText(Path.Combine(folder, "site.yaml"), Site(port, backend.Port, weight: 5000));
            Assert.False(await source.ReloadAsync());
            using (var config = JsonDocument.Parse(await ingress.Admin.GetStringAsync("/admin/config")))
                Assert.Equal(1, config.RootElement.GetProperty("version").GetInt64());
            using var status = JsonDocument.Parse(await ingress.Admin.GetStringAsync("/admin/status"));
            var reloads = status.RootElement.GetProperty("reloads").EnumerateArray().ToList();
            Assert.Equal(["rejected", "applied"], reloads.Select(r => r.GetProperty("outcome").GetString()));
            Assert.Equal(1, reloads[0].GetProperty("version").GetInt64());
            var errors = reloads[0].GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains(errors, e => e!.StartsWith("site.yaml:5:54: BackendPool default/api: spec.endpoints[0].weight: must be between 1 and 1000", StringComparison.Ordinal));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public async Task Routes_list_each_listeners_routes_in_the_order_the_router_honours()
    {
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Snapshots.Of(1, [Snapshots.Listener(port,
            Snapshots.Route("ns/p/exact", ("ns/api", 1)) with { Match = new() { PathKind = Ballast.Model.Snapshots.PathMatchKind.Exact, Path = "/health" } },
            Snapshots.Route("ns/p/prefix", ("ns/api", 1)) with { Match = new() { PathKind = Ballast.Model.Snapshots.PathMatchKind.Prefix, Path = "/api", Methods = ["GET"] } },
            Snapshots.Route("ns/p/any", ("ns/api", 1)))], Snapshots.Pool("ns/api", backend)));

        using var routes = JsonDocument.Parse(await ingress.Admin.GetStringAsync("/admin/routes"));
        var listener = Assert.Single(routes.RootElement.GetProperty("listeners").EnumerateArray());
        Assert.Equal(port, listener.GetProperty("port").GetInt32());
        var table = listener.GetProperty("routes").EnumerateArray().ToList();
        Assert.Equal(["ns/p/exact", "ns/p/prefix", "ns/p/any"], table.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal([1, 2, 3], table.Select(r => r.GetProperty("order").GetInt32()));
        Assert.Equal(["path under /api", "method GET"], table[1].GetProperty("requires").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("ns/api", Assert.Single(table[2].GetProperty("backends").EnumerateArray()).GetProperty("pool").GetString());
    }

    [Fact]
    public async Task Status_counts_requests_and_errors_per_route_and_endpoint()
    {
        var failing = false;
        await using var backend = await TestBackend.StartAsync("a", context =>
        {
            context.Response.StatusCode = failing ? 502 : 200;
            return Task.CompletedTask;
        });
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Snapshots.Of(1, [Snapshots.Listener(port, Snapshots.Route("ns/p/r", ("ns/api", 1)))], Snapshots.Pool("ns/api", backend)));
        var client = ingress.Client(port);
        for (var i = 0; i < 3; i++) await client.GetAsync("/");
        failing = true;
        for (var i = 0; i < 2; i++) await client.GetAsync("/");

        using var status = JsonDocument.Parse(await ingress.Admin.GetStringAsync("/admin/status"));
        var route = Assert.Single(status.RootElement.GetProperty("routes").EnumerateArray());
        Assert.Equal((5, 2), (route.GetProperty("requests").GetInt32(), route.GetProperty("errors").GetInt32()));
        var endpoint = Assert.Single(Assert.Single(status.RootElement.GetProperty("pools").EnumerateArray()).GetProperty("endpoints").EnumerateArray());
        Assert.Equal(backend.Address, endpoint.GetProperty("id").GetString());
        Assert.Equal((5, 2), (endpoint.GetProperty("requests").GetInt32(), endpoint.GetProperty("errors").GetInt32()));
        Assert.Equal("healthy", endpoint.GetProperty("state").GetString());
        Assert.True(status.RootElement.GetProperty("ready").GetBoolean());
    }

    private static string Site(int port, int backendPort, int weight) => $$"""
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: api }
        spec:
          endpoints: [ { address: "127.0.0.1:{{backendPort}}", weight: {{weight}} } ]
        ---
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: { name: site }
        spec:
          listeners: [ { name: http, port: {{port}}, protocol: HTTP, address: 127.0.0.1 } ]
          routes: [ { name: all, backends: [ { pool: api } ] } ]
        """;
}
