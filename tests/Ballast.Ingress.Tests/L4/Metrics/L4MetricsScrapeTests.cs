using System.Net;
using System.Text.RegularExpressions;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Ingress.Tests.L4.Wiring;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.L4.Metrics;

/// <summary>
/// Issue 9's L4 metrics, read where an operator reads them: the admin /metrics of a data plane started from YAML.
/// Accepted, active and refused connections per listener and pool; bytes in/out and connect failures per pool
/// and endpoint.
/// </summary>
[Trait("Category", "Integration")]
public sealed class L4MetricsScrapeTests
{
    private static double Sample(string scrape, string series)
    {
        var match = Regex.Match(scrape, "^" + Regex.Escape(series) + @" (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"/metrics has no sample {series}");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Accepted_active_refused_bytes_and_connect_failures_are_exported_per_listener_pool_and_endpoint()
    {
        await using var live = new TcpBackend("live", TcpBackend.StreamingEchoAsync);
        var dead = FreePort.Next(); // nothing listens: every connect attempt there is refused
        using var folder = new L4Folder();
        var port = FreePort.Next();
        folder.Write("pools.yaml", L4Folder.Pool("db", "TCP", dead, live.Port));
        folder.Write("policy.yaml", $$"""
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: db }
            spec:
              listeners:
                - { name: db, port: {{port}}, protocol: TCP, address: 127.0.0.1, maxConnections: 2 }
              tcpRoutes:
                - { listener: db, backends: [ { pool: db } ] }
            """);
        var (ingress, source) = await L4DataPlaneTests.StartAsync(folder);
        await using var _ = ingress;
        await using var __ = source;
        var proxy = new IPEndPoint(IPAddress.Loopback, port);

        // Two connections stay open: round robin offers the dead endpoint to at least one of them, whose connect
        // fails and is retried on the live one before any byte is sent.
        using var first = await SocketIo.ConnectAsync(proxy);
        await SocketIo.SendAllAsync(first, "hello"u8.ToArray());
        Assert.Equal("hello"u8.ToArray(), await SocketIo.ReadExactlyAsync(first, 5));
        using var second = await SocketIo.ConnectAsync(proxy);
        await SocketIo.SendAllAsync(second, "abc"u8.ToArray());
        Assert.Equal("abc"u8.ToArray(), await SocketIo.ReadExactlyAsync(second, 3));
        // The listener allows two connections: a third is accepted and closed at once.
        using var third = await SocketIo.ConnectAsync(proxy);
        Assert.True(await SocketIo.IsClosedByPeerAsync(third));

        var scrape = await ingress.MetricsAsync();
        const string Listener = "listener=\"db\",pool=\"default/db\"";
        Assert.Equal(2, Sample(scrape, $"ballast_l4_connections_total{{{Listener},result=\"accepted\"}}"));
        Assert.Equal(2, Sample(scrape, $"ballast_l4_active_connections{{{Listener}}}"));
        Assert.Equal(1, Sample(scrape, "ballast_l4_connections_total{listener=\"db\",pool=\"\",result=\"refused\"}"));
        var liveEndpoint = $"pool=\"default/db\",endpoint=\"127.0.0.1:{live.Port}\"";
        Assert.Equal(8, Sample(scrape, $"ballast_l4_bytes_total{{{liveEndpoint},direction=\"in\"}}"));
        Assert.Equal(8, Sample(scrape, $"ballast_l4_bytes_total{{{liveEndpoint},direction=\"out\"}}"));
        Assert.InRange(Sample(scrape, $"ballast_l4_connect_failures_total{{pool=\"default/db\",endpoint=\"127.0.0.1:{dead}\"}}"), 1, 2);
        Assert.Equal(2, live.Accepted);
    }
}
