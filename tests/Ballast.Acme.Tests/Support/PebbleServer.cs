using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Ballast.Testing;

namespace Ballast.Acme.Tests.Support;

/// <summary>
/// A real Pebble (Debian package) on 127.0.0.1 with pebble-challtestsrv as its DNS server, so test
/// hostnames resolve to 127.0.0.1 and Pebble's validation authority fetches HTTP-01 tokens from
/// <c>127.0.0.1:httpPort</c> — the test's challenge server. Both processes are stopped by pid on dispose.
/// </summary>
internal sealed class PebbleServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly PebbleTls _tls;
    private readonly ExternalProcess _dns;
    private readonly ExternalProcess _pebble;
    private readonly int _dnsManagementPort;

    public int ListenPort { get; }
    public int ManagementPort { get; }
    public Uri DirectoryUrl => new($"https://127.0.0.1:{ListenPort}/dir");

    /// <summary>Trusts Pebble's listener (our throwaway CA); share it, do not dispose it.</summary>
    public HttpClient Http { get; }

    private PebbleServer(string directory, PebbleTls tls, ExternalProcess dns, ExternalProcess pebble, int dnsManagementPort, int listenPort, int managementPort)
    {
        _directory = directory;
        _tls = tls;
        _dns = dns;
        _pebble = pebble;
        _dnsManagementPort = dnsManagementPort;
        ListenPort = listenPort;
        ManagementPort = managementPort;
        Http = PebbleTls.TrustingClient(tls.Ca);
    }

    /// <param name="httpPort">Where the validation authority fetches HTTP-01 tokens (the challenge server).</param>
    /// <param name="nonceRejectPercent">Share of good nonces Pebble rejects with badNonce (0 = never).</param>
    public static async Task<PebbleServer> StartAsync(int httpPort, int nonceRejectPercent = 0)
    {
        var pebblePath = ExternalTool.Require("pebble");
        var dnsPath = ExternalTool.Require("pebble-challtestsrv");
        var directory = Directory.CreateTempSubdirectory("ballast-pebble-").FullName;
        var tls = PebbleTls.Create();
        ExternalProcess? dns = null;
        ExternalProcess? pebble = null;
        try
        {
            var certPath = Path.Combine(directory, "cert.pem");
            var keyPath = Path.Combine(directory, "key.pem");
            await File.WriteAllTextAsync(certPath, tls.LeafCertificatePem);
            await File.WriteAllTextAsync(keyPath, tls.LeafKeyPem);

            var dnsPort = FreePort.TcpAndUdp();
            var dnsManagementPort = FreePort.Next();
            // Only DNS and the management API: its HTTP-01/TLS listeners are off so they cannot collide
            // with our challenge server; no AAAA answers, so the VA dials the IPv4 challenge server.
            dns = ExternalProcess.Start(dnsPath,
                ["-dns01", $"127.0.0.1:{dnsPort}", "-management", $"127.0.0.1:{dnsManagementPort}",
                 "-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv6", "", "-defaultIPv4", "127.0.0.1"],
                new Dictionary<string, string>(), directory);
            await dns.WaitForTcpAsync(dnsManagementPort, TimeSpan.FromSeconds(15));

            var listenPort = FreePort.Next();
            var managementPort = FreePort.Next();
            var config = new JsonObject
            {
                ["pebble"] = new JsonObject
                {
                    ["listenAddress"] = $"127.0.0.1:{listenPort}",
                    ["managementListenAddress"] = $"127.0.0.1:{managementPort}",
                    ["certificate"] = certPath,
                    ["privateKey"] = keyPath,
                    ["httpPort"] = httpPort,
                    ["tlsPort"] = FreePort.Next(),
                    ["ocspResponderURL"] = "",
                    ["externalAccountBindingRequired"] = false,
                },
            };
            var configPath = Path.Combine(directory, "pebble-config.json");
            await File.WriteAllTextAsync(configPath, config.ToJsonString());
            pebble = ExternalProcess.Start(pebblePath,
                ["-config", configPath, "-dnsserver", $"127.0.0.1:{dnsPort}"],
                new Dictionary<string, string>
                {
                    ["PEBBLE_VA_NOSLEEP"] = "1",
                    ["PEBBLE_AUTHZREUSE"] = "0",
                    ["PEBBLE_WFE_NONCEREJECT"] = nonceRejectPercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
                directory);
            await pebble.WaitForTcpAsync(listenPort, TimeSpan.FromSeconds(15));
            await pebble.WaitForTcpAsync(managementPort, TimeSpan.FromSeconds(15));
            return new PebbleServer(directory, tls, dns, pebble, dnsManagementPort, listenPort, managementPort);
        }
        catch
        {
            pebble?.Dispose();
            dns?.Dispose();
            tls.Dispose();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Sets the hostname's A record to 127.0.0.1 in challtestsrv (Pebble's DNS server).</summary>
    public async Task AddARecordAsync(string hostname)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync($"http://127.0.0.1:{_dnsManagementPort}/add-a",
            new JsonObject { ["host"] = hostname, ["addresses"] = new JsonArray("127.0.0.1") });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The root Pebble issues under (new at every start), from its management API.</summary>
    public async Task<X509Certificate2> GetRootAsync()
    {
        var pem = await Http.GetStringAsync($"https://127.0.0.1:{ManagementPort}/roots/0");
        return X509Certificate2.CreateFromPem(pem);
    }

    public string Logs => $"--- pebble ---\n{_pebble.Output}\n--- challtestsrv ---\n{_dns.Output}";

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        _pebble.Dispose();
        _dns.Dispose();
        _tls.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
