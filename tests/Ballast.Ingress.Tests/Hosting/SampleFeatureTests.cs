using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Ballast.Ingress.Affinity;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Redis;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ballast.Ingress.Tests.Hosting;

/// <summary>
/// Every feature sample of <c>samples/</c> started as its README starts it (standalone mode, real sockets, the folder
/// as written, only its ports moved) and sent what proves the feature. <c>ValidatorTests</c> validates every folder.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SampleFeatureTests
{
    private static Dictionary<int, int> Ports(EchoBackends echo, params (int Sample, int Test)[] more)
    {
        var ports = echo.Ports();
        foreach (var (sample, test) in more) ports[sample] = test;
        return ports;
    }

    private static string Backend(HttpResponseMessage response) => response.Headers.GetValues("X-Backend").Single();

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            if (name == "Host") request.Headers.Host = value;
            else request.Headers.TryAddWithoutValidation(name, value);
        }
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Sticky_cookie_keeps_a_client_with_the_cookie_on_its_backend()
    {
        await using var echo = await EchoBackends.StartAsync();
        await using var sample = await RunningSample.StartAsync("sticky-cookie", Ports(echo, (8080, FreePort.Next())));
        var client = sample.Client();

        using var first = await GetAsync(client, "/");
        var cookie = first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("BALLAST_STICKY=", StringComparison.Ordinal)).Split(';')[0];
        for (var i = 0; i < 4; i++)
        {
            using var again = await GetAsync(client, "/", ("Cookie", cookie));
            Assert.Equal(Backend(first), Backend(again));
        }
        using var without = await GetAsync(client, "/"); // round robin moves on: the cookie is what held the client
        Assert.NotEqual(Backend(first), Backend(without));
    }

    [Fact]
    public async Task Sticky_redis_a_session_pinned_by_one_replica_is_found_by_the_other_in_the_shared_table()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var echo = await EchoBackends.StartAsync();
        var options = new IngressOptions
        {
            Redis = new RedisOptions { Endpoint = redis.Endpoint },
            AffinityKeys = AffinityKeyRing.Load(RepoPaths.Of("samples", "sticky-redis", "affinity.keys")),
        };
        await using var a = await RunningSample.StartAsync("sticky-redis", Ports(echo, (8080, FreePort.Next())), options);
        await using var b = await RunningSample.StartAsync("sticky-redis", Ports(echo, (8080, FreePort.Next())), options);
        foreach (var replica in new[] { a, b })
        {
            var connection = replica.Ingress.Host.Services.GetRequiredService<RedisConnection>();
            await Eventually.True(() => connection.Multiplexer.IsCompletedSuccessfully && connection.Multiplexer.Result is { IsConnected: true }, "the replica connected to Redis");
        }

        using var pinned = await GetAsync(a.Client(), "/", ("X-Session", "alice"));
        using var elsewhere = await GetAsync(b.Client(), "/", ("X-Session", "alice"));
        Assert.Equal(Backend(pinned), Backend(elsewhere));
        Assert.Equal(1, PrometheusScrape.Value(await b.Ingress.MetricsAsync(), "ballast_affinity_table_lookups_total{pool=\"default/echo\",result=\"shared_hit\"}"));
    }

    [Fact]
    public async Task Health_backup_serves_from_the_backup_only_once_the_checks_find_both_primaries_down()
    {
        await using var echo = await EchoBackends.StartAsync();
        var ports = Ports(echo, (8080, FreePort.Next()));
        await using var sample = await RunningSample.StartAsync("health-backup", ports);
        var client = sample.Client();
        // Each primary serves once its first check passed; the backup takes nothing while a primary is up.
        var served = new List<string>();
        await Eventually.True(async () =>
        {
            using var response = await GetAsync(client, "/");
            served.Add(Backend(response));
            return served.Contains("echo-1") && served.Contains("echo-2");
        }, "both primaries serving");
        for (var i = 0; i < 4; i++) // round robin over three would reach echo-3 within three
        {
            using var response = await GetAsync(client, "/");
            served.Add(Backend(response));
        }
        Assert.DoesNotContain("echo-3", served);

        await echo.StopAsync(1); // the README's pkill of echo-1 and echo-2
        await echo.StopAsync(2);
        Assert.Equal("echo-3", await Eventually.GetAsync(async () =>
        {
            using var response = await GetAsync(client, "/");
            return response.IsSuccessStatusCode ? Backend(response) : $"{(int)response.StatusCode}";
        }, b => b == "echo-3", "the backup to answer once both primaries are marked down", within: TimeSpan.FromSeconds(20)));
        var metrics = await sample.Ingress.MetricsAsync();
        foreach (var primary in new[] { ports[9001], ports[9002] })
            Assert.Equal(0, PrometheusScrape.Value(metrics, $"ballast_endpoint_state{{pool=\"default/echo\",endpoint=\"127.0.0.1:{primary}\",state=\"healthy\"}}"));
    }

    [Fact]
    public async Task Rate_limit_answers_429_with_Retry_After_past_the_burst()
    {
        await using var echo = await EchoBackends.StartAsync();
        await using var sample = await RunningSample.StartAsync("rate-limit", Ports(echo, (8080, FreePort.Next())));
        var client = sample.Client();
        var codes = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last?.Dispose();
            last = await GetAsync(client, "/");
            codes.Add(last.StatusCode);
        }
        // 10 a minute refill one every 6 s: four requests in a row cannot see a refill.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
        Assert.NotNull(last!.Headers.RetryAfter);
        last.Dispose();
    }

    [Fact]
    public async Task Rate_limit_global_one_budget_for_two_replicas_through_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var echo = await EchoBackends.StartAsync();
        var options = new IngressOptions { Redis = new RedisOptions { Endpoint = redis.Endpoint } };
        await using var a = await RunningSample.StartAsync("rate-limit-global", Ports(echo, (8080, FreePort.Next())), options);
        await using var b = await RunningSample.StartAsync("rate-limit-global", Ports(echo, (8080, FreePort.Next())), options);
        foreach (var replica in new[] { a, b })
        {
            var connection = replica.Ingress.Host.Services.GetRequiredService<RedisConnection>();
            await Eventually.True(() => connection.Multiplexer.IsCompletedSuccessfully && connection.Multiplexer.Result is { IsConnected: true }, "the replica connected to Redis");
        }
        var codes = new List<HttpStatusCode>();
        foreach (var replica in new[] { a, a, a, b, b })
        {
            using var response = await GetAsync(replica.Client(), "/", ("X-Api-Key", "k1"));
            codes.Add(response.StatusCode);
        }
        // A burst of 4 in all, whichever replica: without Redis each replica would admit its share, 2 (200 200 429 200 200).
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], codes);
    }

    [Fact]
    public async Task Auth_each_kind_admits_its_credential_forwards_the_identity_and_refuses_without_it()
    {
        await using var echo = await EchoBackends.StartAsync();
        var authzPort = FreePort.Next();
        await using var sample = await RunningSample.StartAsync("auth", Ports(echo, (8080, FreePort.Next()), (9100, authzPort)));
        // What `python3 -m http.server 9100 --directory samples/auth/authz` does in the README: the files as they are.
        await using var authz = await StaticFilesAsync(Path.Combine(sample.Folder, "authz"), authzPort);
        var client = sample.Client();
        var token = File.ReadAllText(Path.Combine(sample.Folder, "demo-token.jwt")).Trim();

        async Task<(HttpStatusCode Status, string? Seen)> Probe(string path, string seenHeader, params (string, string)[] headers)
        {
            using var response = await GetAsync(client, path, headers);
            return (response.StatusCode, response.Headers.TryGetValues("X-Seen-" + seenHeader, out var v) ? v.Single() : null);
        }
        Assert.Equal((HttpStatusCode.Unauthorized, null), await Probe("/jwt", "User"));
        Assert.Equal((HttpStatusCode.OK, "demo-user"), await Probe("/jwt", "User", ("Authorization", "Bearer " + token)));
        Assert.Equal((HttpStatusCode.Unauthorized, null), await Probe("/api-key", "Client", ("X-Api-Key", "not-a-key-0123456789")));
        Assert.Equal((HttpStatusCode.OK, "demo"), await Probe("/api-key", "Client", ("X-Api-Key", "demo-key-0123456789abcdef")));
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("demo:demo-password"));
        Assert.Equal((HttpStatusCode.Unauthorized, null), await Probe("/basic", "User", ("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("demo:wrong")))));
        Assert.Equal((HttpStatusCode.OK, "demo"), await Probe("/basic", "User", ("Authorization", basic)));
        Assert.Equal(HttpStatusCode.OK, (await Probe("/external", "User")).Status);
        File.Delete(Path.Combine(sample.Folder, "authz", "allow")); // the README's `mv allow deny`
        Assert.Equal(HttpStatusCode.NotFound, (await Probe("/external", "User")).Status);
    }

    [Fact]
    public async Task Udp_relays_a_datagram_to_a_resolver_and_its_answer_back()
    {
        using var one = new UdpEchoBackend("resolver-1");
        using var two = new UdpEchoBackend("resolver-2");
        var port = FreePort.TcpAndUdp();
        await using var sample = await RunningSample.StartAsync("udp", new Dictionary<int, int> { [5353] = port, [15353] = one.Port, [15354] = two.Port });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(IPAddress.Loopback, port);
        var answer = await Eventually.GetAsync(async () =>
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes("hello").AsMemory());
            var buffer = new byte[512];
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try { return Encoding.ASCII.GetString(buffer, 0, await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token)); }
            catch (OperationCanceledException) { return ""; }
        }, a => a.Length > 0, "an answer through the UDP listener");
        Assert.Matches("^resolver-[12]\\|hello$", answer);
    }

    [Fact]
    public async Task Tls_passthrough_sends_each_name_to_its_own_backend_which_presents_its_own_certificate()
    {
        await using var shop = new TlsBackend("shop", "shop.example.com");
        await using var internalBackend = new TlsBackend("internal", "db.internal.example.com");
        var port = FreePort.Next();
        await using var sample = await RunningSample.StartAsync("tls-passthrough", new Dictionary<int, int> { [8443] = port, [9443] = shop.Port, [9444] = internalBackend.Port });
        foreach (var (name, expected) in new[] { ("shop.example.com", shop), ("db.internal.example.com", internalBackend) })
        {
            var (certificate, line) = await Eventually.GetAsync(() => HandshakeAsync(port, name), r => r.Line is not null, $"a TLS answer for {name}");
            Assert.Equal(expected.Certificate.Thumbprint, certificate);
            Assert.Equal($"{(expected == shop ? "shop" : "internal")}:ping", line);
        }
    }

    [Fact]
    public async Task Gateway_API_sample_routes_the_canary_adds_the_header_and_redirects_the_old_path()
    {
        await using var echo = await EchoBackends.StartAsync();
        await using var sample = await RunningSample.StartAsync("gateway-api/standalone", Ports(echo, (8080, FreePort.Next())));
        var client = sample.Client();
        using var shop = await Eventually.GetAsync(() => GetAsync(client, "/shop"), r => r.IsSuccessStatusCode, "the HTTPRoute served");
        Assert.Contains(Backend(shop), new[] { "echo-1", "echo-2" });
        Assert.Equal("ballast", shop.Headers.GetValues("X-Served-By").Single());
        using var old = await GetAsync(client, "/store/cart");
        Assert.Equal(HttpStatusCode.MovedPermanently, old.StatusCode);
        Assert.EndsWith("/shop/cart", old.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingress_sample_rewrites_the_regex_path_and_sets_the_forwarded_prefix()
    {
        await using var echo = await EchoBackends.StartAsync();
        await using var sample = await RunningSample.StartAsync("ingress/standalone", Ports(echo, (8080, FreePort.Next())));
        var client = sample.Client();
        using var response = await GetAsync(client, "/shop/cart", ("Host", "shop.example.com"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/shop", response.Headers.GetValues("X-Seen-Forwarded-Prefix").Single());
        var served = echo.All.Single(b => b.Name == Backend(response));
        Assert.Equal("/cart", served.Paths.Last());
    }

    /// <summary>A TLS handshake with <paramref name="sni"/> through the listener: the certificate's thumbprint and the backend's answer to "ping".</summary>
    private static async Task<(string? Certificate, string? Line)> HandshakeAsync(int port, string sni)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            string? thumbprint = null;
            await using var ssl = new SslStream(tcp.GetStream(), false, (_, cert, _, _) =>
            {
                thumbprint = cert?.GetCertHashString();
                return true; // self-signed on purpose: what is checked is whose certificate it is
            });
            await ssl.AuthenticateAsClientAsync(sni).WaitAsync(TimeSpan.FromSeconds(5));
            await ssl.WriteAsync(Encoding.ASCII.GetBytes("ping\n"));
            using var reader = new StreamReader(ssl, Encoding.ASCII);
            return (thumbprint, await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5)));
        }
        catch (Exception e) when (e is IOException or SocketException or TimeoutException or System.Security.Authentication.AuthenticationException)
        {
            return (null, null); // the listener not bound yet
        }
    }

    /// <summary>A static file server on 127.0.0.1:<paramref name="port"/> (404 for a missing file), as python's http.server.</summary>
    private static async Task<WebApplication> StaticFilesAsync(string root, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Run(async ctx =>
        {
            var file = Path.Combine(root, (ctx.Request.Path.Value ?? "/").TrimStart('/'));
            if (!File.Exists(file)) { ctx.Response.StatusCode = 404; return; }
            await ctx.Response.SendFileAsync(file);
        });
        await app.StartAsync();
        return app;
    }
}
