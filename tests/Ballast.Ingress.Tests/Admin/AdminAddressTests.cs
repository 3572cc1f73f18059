using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.Hosting;

namespace Ballast.Ingress.Tests.Admin;

/// <summary>
/// The admin port binds where it is told: <c>ballast run</c> (standalone) on 127.0.0.1 unless <c>--admin-address</c> says
/// otherwise, and its log names the traffic listeners and the admin address. 127.0.0.2 is another loopback address on
/// Linux: a socket bound to 127.0.0.1 alone refuses it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AdminAddressTests
{
    [Fact]
    public async Task Standalone_run_binds_the_admin_port_on_loopback_only_and_logs_the_traffic_ports_and_the_admin_address()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var port = FreePort.Next();
        var admin = FreePort.Next();
        var config = Directory.CreateTempSubdirectory("ballast-admin-address-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(config, "site.yaml"), $$"""
                apiVersion: ballast.dev/v1alpha1
                kind: BackendPool
                metadata: { name: api }
                spec: { endpoints: [ { address: "127.0.0.1:{{backend.Port}}" } ] }
                ---
                apiVersion: ballast.dev/v1alpha1
                kind: LoadBalancerPolicy
                metadata: { name: web }
                spec:
                  listeners: [ { name: http, port: {{port}}, address: 127.0.0.1 } ]
                  routes: [ { backends: [ { pool: api } ] } ]
                """);
            await using var process = new RunningProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "ballast.dll"), "run", "--config", config,
                "--admin-port", admin.ToString(CultureInfo.InvariantCulture)]);
            await Eventually.True(() => process.Output.Contains("Traffic listeners:", StringComparison.Ordinal), "the listeners to be logged", TimeSpan.FromSeconds(60));

            Assert.Contains($"Admin listener on http://127.0.0.1:{admin} ", process.Output);
            Assert.Contains($"Traffic listeners: http 127.0.0.1:{port} (Http); admin: http://127.0.0.1:{admin}", process.Output);
            Assert.True(await Accepts(IPAddress.Loopback, admin));
            Assert.False(await Accepts(IPAddress.Parse("127.0.0.2"), admin));
        }
        finally { Directory.Delete(config, recursive: true); }
    }

    [Fact]
    public async Task The_admin_port_listens_on_the_address_it_is_given()
    {
        await using var host = await IngressHost.StartAsync(new IngressOptions { AdminPort = 0, AdminAddress = IPAddress.Parse("127.0.0.2") });

        Assert.Equal($"http://127.0.0.2:{host.AdminPort}", host.AdminUrl);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.Equal("ok\n", await http.GetStringAsync($"http://127.0.0.2:{host.AdminPort}/healthz"));
        Assert.False(await Accepts(IPAddress.Loopback, host.AdminPort));
    }

    [Fact]
    public void Admin_address_defaults_to_loopback_standalone_and_to_every_address_in_operator_mode()
    {
        Assert.True(RunArguments.TryParse(["--config", "dir"], out var standalone, out _));
        Assert.Equal(IPAddress.Loopback, standalone.AdminAddress);
        Assert.True(RunArguments.TryParse(["--operator", "http://op", "--token-file", "t", "--replica-id", "r"], out var replica, out _));
        Assert.Equal(IPAddress.Any, replica.AdminAddress);
        Assert.True(RunArguments.TryParse(["--config", "dir", "--admin-address", "::"], out var v6, out _));
        Assert.Equal(IPAddress.IPv6Any, v6.AdminAddress);
        Assert.True(RunArguments.TryParse(["--operator", "http://op", "--token-file", "t", "--replica-id", "r", "--admin-address", "10.42.0.7"], out var pod, out _));
        Assert.Equal(IPAddress.Parse("10.42.0.7"), pod.AdminAddress);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("1")]
    [InlineData("300.1.1.1")]
    public void A_bad_admin_address_names_the_flag(string value)
    {
        Assert.False(RunArguments.TryParse(["--config", "dir", "--admin-address", value], out _, out var error));
        Assert.Equal($"--admin-address: '{value}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::)", error);
    }

    private static async Task<bool> Accepts(IPAddress address, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
