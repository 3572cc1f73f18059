using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Ballast.Testing;

namespace Ballast.Ha.Tests.Lab;

/// <summary>
/// Two Ballast nodes (<c>a</c>, <c>b</c>) in a <see cref="NetworkLab"/>, each a real <c>ballast run</c> process on the
/// sample's configuration (samples/ha-pair/config) with a shared affinity key file and the lab's Redis, and each with
/// keepalived running the sample's configs and scripts (samples/ha-pair/keepalived, scripts) unchanged
/// except for file paths — so these tests run the sample. Work files live under /run/ballast-ha-tests (root-owned, as
/// keepalived's script security requires). Everything is stopped by process id and removed on dispose.
/// </summary>
public sealed class HaPair : IAsyncDisposable
{
    public const int AdminPort = 9901;
    private readonly Dictionary<string, LabProcess> _ballast = [];
    private readonly Dictionary<string, LabProcess> _keepalived = [];
    private readonly List<LabProcess> _stopped = [];
    private LabProcess? _redis;
    private readonly Stopwatch _clock;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _timeline = new();

    private HaPair(NetworkLab lab, string dir, string mode, bool nopreempt, Stopwatch clock)
    {
        _clock = clock;
        Lab = lab;
        Dir = dir;
        Mode = mode;
        Nopreempt = nopreempt;
    }

    /// <summary>Records when a step of the test ended (seconds since the pair was asked for), for <see cref="Timeline"/>.</summary>
    public void Mark(string what) => _timeline.Enqueue($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    /// <summary>Where the test's time went: each step and when it ended.</summary>
    public string Timeline() => string.Join("\n", _timeline);

    public NetworkLab Lab { get; }
    public string Dir { get; }
    public string Mode { get; }
    public bool Nopreempt { get; }
    public LabBackends? Backends { get; private set; }

    /// <summary>Builds the lab, or skips the test where the kernel refuses network namespaces (never under CI=true).</summary>
    public static async Task<NetworkLab> LabOrSkipAsync(int extraClientAddresses = 0)
    {
        try
        {
            return await NetworkLab.StartAsync(extraClientAddresses);
        }
        catch (NamespacesRefusedException e) when (Environment.GetEnvironmentVariable("CI") != "true")
        {
            throw new SkipException($"network namespaces are not available here ({e.Message}); the HA tests need root and a kernel that allows 'ip netns add'");
        }
    }

    /// <summary>The lab, its backends and Redis, both nodes prepared and both nodes' Ballast started (not yet ready:
    /// <see cref="WaitReadyAsync"/>); keepalived is the test's to start.</summary>
    /// <param name="mode"><c>active-passive</c> or <c>active-active</c>: which sample keepalived configs run.</param>
    public static async Task<HaPair> StartAsync(string mode, bool nopreempt = false, int extraClientAddresses = 0)
    {
        var clock = Stopwatch.StartNew();
        var lab = await LabOrSkipAsync(extraClientAddresses);
        var dir = Path.Combine("/run/ballast-ha-tests", lab.Prefix);
        Directory.CreateDirectory(dir);
        var pair = new HaPair(lab, dir, mode, nopreempt, clock);
        pair.Mark("network namespaces built");
        try
        {
            await pair.PrepareAsync();
            pair.Mark("backends, Redis and both nodes prepared; Ballast starting on both");
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    private async Task PrepareAsync()
    {
        var sample = RepoPaths.Of("samples", "ha-pair");
        CopyDirectory(Path.Combine(sample, "config"), Path.Combine(Dir, "config"));
        await File.WriteAllTextAsync(Path.Combine(Dir, "affinity-keys"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        _redis = LabProcess.Start(Lab, "backends", ExternalTool.Require("redis-server"),
            ["--port", "6379", "--bind", NetworkLab.Redis.ToString(), "--save", "", "--appendonly", "no", "--protected-mode", "no"],
            Path.Combine(Dir, "redis.log"));
        // Ballast first: its start (a few seconds of .NET start-up and JIT on a loaded machine) is the longest step, and
        // it needs neither the backends nor the node preparation (it binds every address and reconnects to Redis).
        StartBallast("a");
        StartBallast("b");
        var backends = LabBackends.StartAsync(Lab);
        await Task.WhenAll(PrepareNodeAsync("a"), PrepareNodeAsync("b"), backends);
        Backends = await backends;
    }

    /// <summary>A node's copy of the sample's scripts and keepalived config, and the sample's node preparation run in it.</summary>
    private async Task PrepareNodeAsync(string host)
    {
        var sample = RepoPaths.Of("samples", "ha-pair");
        var scripts = Path.Combine(Dir, $"ha-{host}");
        Directory.CreateDirectory(scripts);
        File.Copy(Path.Combine(sample, "scripts", "check-ballast.sh"), Path.Combine(scripts, "check-ballast.sh"));
        File.Copy(Path.Combine(sample, "scripts", "vip-no-reset.nft"), Path.Combine(scripts, "vip-no-reset.nft"));
        File.Copy(Path.Combine(sample, "scripts", "vip-handback.nft"), Path.Combine(scripts, "vip-handback.nft"));
        await File.WriteAllTextAsync(Path.Combine(scripts, "prepare-node.sh"), (await File.ReadAllTextAsync(Path.Combine(sample, "scripts", "prepare-node.sh")))
            .Replace("/etc/ballast/ha/", scripts + "/", StringComparison.Ordinal));
        var notify = (await File.ReadAllTextAsync(Path.Combine(sample, "scripts", "notify.sh")))
            .Replace("LOG=/var/log/ballast/ha-transitions.log", $"LOG={TransitionsLog(host)}", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(scripts, "notify.sh"), notify);
        foreach (var script in Directory.GetFiles(scripts)) File.SetUnixFileMode(script, (UnixFileMode)Convert.ToInt32("755", 8));
        var conf = (await File.ReadAllTextAsync(Path.Combine(sample, "keepalived", Mode, $"node-{host}.conf")))
            .Replace("/etc/ballast/ha/", scripts + "/", StringComparison.Ordinal)
            .Replace("/run/ballast/ha-notify.fifo", Path.Combine(scripts, "notify.fifo"), StringComparison.Ordinal);
        if (Nopreempt) conf = conf.Replace("    # nopreempt ", "    nopreempt   ", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(Dir, $"keepalived-{host}.conf"), conf);
        // The sample's node preparation, as a boot would run it: ARP settings, VIPs on lo, the nftables rules.
        ExternalTool.Require("nft");
        var peer = host == "a" ? NetworkLab.NodeB : NetworkLab.NodeA;
        await Lab.ExecAsync(host, "sh", $"{Path.Combine(scripts, "prepare-node.sh")} {peer}");
    }

    public string TransitionsLog(string host) => Path.Combine(Dir, $"transitions-{host}.log");

    public string Transitions(string host) => File.Exists(TransitionsLog(host)) ? File.ReadAllText(TransitionsLog(host)) : "";

    public void StartKeepalived(string host)
    {
        _keepalived[host] = LabProcess.Start(Lab, host, ExternalTool.Require("keepalived"),
            ["-n", "-l", "-D", "-P", "-f", Path.Combine(Dir, $"keepalived-{host}.conf"),
             "-p", Path.Combine(Dir, $"keepalived-{host}.pid"), "-r", Path.Combine(Dir, $"vrrp-{host}.pid")],
            Path.Combine(Dir, $"keepalived-{host}.log"));
    }

    /// <summary>Starts <c>ballast run</c> on the sample's folder in the node's namespace (a new process each time).</summary>
    public void StartBallast(string host)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ballast.dll");
        if (_ballast.Remove(host, out var previous)) _stopped.Add(previous);
        _ballast[host] = LabProcess.Start(Lab, host, "dotnet",
            [dll, "run", "--config", Path.Combine(Dir, "config"), "--admin-port", AdminPort.ToString(),
             "--affinity-key-file", Path.Combine(Dir, "affinity-keys"), "--redis", $"{NetworkLab.Redis}:6379",
             "--state-dir", Path.Combine(Dir, $"state-{host}"),
             // Nothing is left to serve when the test stops a node: no 5 s of grace before it exits.
             "--shutdown-grace", "0s"],
            Path.Combine(Dir, $"ballast-{host}.log"));
    }

    public Task KillBallastAsync(string host) => _ballast[host].KillAsync();

    public string BallastLog(string host) => _ballast.TryGetValue(host, out var p) ? p.Log() : "";

    /// <summary>Everything a failing assertion should show: process logs and transitions.</summary>
    public string Diagnostics()
    {
        var text = new System.Text.StringBuilder();
        foreach (var host in (string[])["a", "b"])
        {
            text.AppendLine($"--- transitions {host}:").AppendLine(Transitions(host));
            if (_keepalived.TryGetValue(host, out var k)) text.AppendLine($"--- keepalived {host}:").AppendLine(Tail(k.Log()));
            text.AppendLine($"--- ballast {host}:").AppendLine(Tail(BallastLog(host)));
        }
        return text.ToString();
    }

    private static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;

    /// <summary>GET on the node's own admin port (from inside its namespace, over its loopback).</summary>
    public async Task<(HttpStatusCode Status, string Body)> AdminAsync(string host, string path)
    {
        using var client = Lab.Sockets(host).HttpClient(TimeSpan.FromSeconds(2));
        try
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{AdminPort}{path}");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, e.Message);
        }
    }

    /// <summary>The role keepalived told this node's Ballast for an instance, from ballast_ha_role; null if none.</summary>
    public async Task<string?> RoleAsync(string host, string instance)
    {
        var (status, body) = await AdminAsync(host, "/metrics");
        if (status != HttpStatusCode.OK) return null;
        foreach (var role in (string[])["master", "backup", "fault", "stop"])
        {
            if (PrometheusScrape.Value(body, $"ballast_ha_role{{vrrp_instance=\"{instance}\",role=\"{role}\"}}") == 1) return role;
        }
        return null;
    }

    public Task WaitReadyAsync(string host, TimeSpan timeout) =>
        WaitAsync(async () => (await AdminAsync(host, "/readyz")).Status == HttpStatusCode.OK, $"ballast on {host} ready", timeout);

    /// <summary><see cref="Eventually"/>, with the lab's state (processes' output, addresses) in the failure.</summary>
    public async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        try
        {
            // Some probes run `ip` in a namespace: every 50 ms, not Eventually's default 10.
            await Eventually.GetAsync(condition, static ok => ok, what, timeout, every: TimeSpan.FromMilliseconds(50));
            Mark(what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Diagnostics()}", e);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    public async ValueTask DisposeAsync()
    {
        // keepalived first (it would notify Ballast of its stop), then every other process at once.
        await Task.WhenAll(_keepalived.Values.Select(k => k.DisposeAsync().AsTask()));
        await Task.WhenAll(_ballast.Values.Concat(_stopped).Append(_redis).OfType<LabProcess>().Select(p => p.DisposeAsync().AsTask()));
        if (Backends is not null) await Backends.DisposeAsync();
        await Lab.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
