using System.Diagnostics;
using System.Net;

namespace Ballast.Ha.Tests.Lab;

/// <summary>
/// A little network built for one test and removed after it: a switch namespace holding a bridge, and one
/// namespace per host (<c>a</c>, <c>b</c>: the Ballast nodes; <c>client</c>; <c>backends</c>), each joined to the
/// bridge by a veth pair whose host end is <c>eth0</c>. The addresses are the sample's (192.0.2.0/24, TEST-NET-1),
/// which exist only inside these namespaces. Namespace names carry the test process id and a counter, so runs
/// never collide. Traffic never leaves the namespaces.
/// </summary>
public sealed class NetworkLab : IAsyncDisposable
{
    public const string Subnet = "192.0.2";
    public static readonly IPAddress NodeA = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress NodeB = IPAddress.Parse("192.0.2.2");
    public static readonly IPAddress Vip = IPAddress.Parse("192.0.2.10");
    public static readonly IPAddress SecondVip = IPAddress.Parse("192.0.2.11");
    public static readonly IPAddress Client = IPAddress.Parse("192.0.2.100");
    public static readonly IPAddress Redis = IPAddress.Parse("192.0.2.20");
    /// <summary>The sample's backend addresses (samples/ha-pair/config/pools.yaml).</summary>
    public static readonly IPAddress[] Backends = [IPAddress.Parse("192.0.2.21"), IPAddress.Parse("192.0.2.22"), IPAddress.Parse("192.0.2.23")];

    private static int _counter;
    private readonly List<string> _namespaces = [];
    private readonly List<NamespaceSockets> _sockets = [];
    private readonly Dictionary<string, string> _names = [];

    private NetworkLab(string prefix) => Prefix = prefix;

    public string Prefix { get; }

    /// <summary>The real namespace name of a host (<c>a</c>, <c>b</c>, <c>client</c>, <c>backends</c>).</summary>
    public string Ns(string host) => _names[host];

    /// <summary>
    /// Builds the lab. Where the kernel refuses network namespaces (no privilege, no support) this throws
    /// <see cref="NamespacesRefusedException"/>: the caller skips, except under CI=true where that is a failure.
    /// </summary>
    public static async Task<NetworkLab> StartAsync(int extraClientAddresses = 0)
    {
        var lab = new NetworkLab($"bh{Environment.ProcessId}x{Interlocked.Increment(ref _counter)}");
        try
        {
            await lab.BuildAsync(extraClientAddresses);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private async Task BuildAsync(int extraClientAddresses)
    {
        var sw = await AddNamespaceAsync("sw");
        await Ip($"-n {sw} link add br0 type bridge");
        await Ip($"-n {sw} link set br0 up");
        var hosts = new (string Host, IPAddress[] Addresses)[]
        {
            ("a", [NodeA]),
            ("b", [NodeB]),
            ("client", [Client, .. Enumerable.Range(0, extraClientAddresses).Select(i => IPAddress.Parse($"{Subnet}.{101 + i}"))]),
            ("backends", [Redis, .. Backends]),
        };
        foreach (var (host, addresses) in hosts)
        {
            var ns = await AddNamespaceAsync(host);
            await Ip($"link add eth0 netns {ns} type veth peer name p-{host} netns {sw}");
            await Ip($"-n {sw} link set p-{host} master br0");
            await Ip($"-n {sw} link set p-{host} up");
            foreach (var address in addresses) await Ip($"-n {ns} addr add {address}/24 dev eth0");
            await Ip($"-n {ns} link set eth0 up");
        }
    }

    private async Task<string> AddNamespaceAsync(string host)
    {
        var name = $"{Prefix}-{host}";
        var (code, output) = await RunAsync("ip", $"netns add {name}");
        if (code != 0)
        {
            if (_namespaces.Count == 0) throw new NamespacesRefusedException($"'ip netns add' was refused: {output.Trim()}");
            throw new InvalidOperationException($"ip netns add {name}: {output}");
        }
        _namespaces.Add(name);
        _names[host] = name;
        await Ip($"-n {name} link set lo up");
        return name;
    }

    /// <summary>Sockets made inside a host's namespace (kept for the lab's life).</summary>
    public NamespaceSockets Sockets(string host)
    {
        lock (_sockets)
        {
            var existing = _sockets.FirstOrDefault(s => s.Name == Ns(host));
            if (existing is not null) return existing;
            var sockets = new NamespaceSockets(Ns(host));
            _sockets.Add(sockets);
            return sockets;
        }
    }

    /// <summary>Starts a program inside a host's namespace (<c>ip netns exec</c> execs it: the process id is the program's).</summary>
    public Process Start(string host, string program, IEnumerable<string> arguments, string logFile, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["netns", "exec", Ns(host), program, .. arguments]) start.ArgumentList.Add(argument);
        if (environment is not null) foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start)!;
        var ends = 0;
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var closed = false;
        void Write(string? line)
        {
            lock (log)
            {
                if (closed) return;
                if (line is null)
                {
                    // End of one stream. Output events can still follow Exited, so the file closes with the second EOF.
                    if (Interlocked.Increment(ref ends) == 2) { closed = true; log.Dispose(); }
                    return;
                }
                log.WriteLine(line);
            }
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs a command inside a host's namespace and fails the test if it fails.</summary>
    public async Task<string> ExecAsync(string host, string program, string arguments)
    {
        var (code, output) = await RunAsync("ip", $"netns exec {Ns(host)} {program} {arguments}");
        if (code != 0) throw new InvalidOperationException($"[{host}] {program} {arguments}: exit {code}: {output}");
        return output;
    }

    /// <summary>The addresses on a host's eth0 (to see where a VIP is).</summary>
    public async Task<bool> HoldsAsync(string host, IPAddress address)
        => (await ExecAsync(host, "ip", "-4 -o addr show dev eth0")).Contains($" {address}/", StringComparison.Ordinal);

    private static async Task Ip(string arguments)
    {
        var (code, output) = await RunAsync("ip", arguments);
        if (code != 0) throw new InvalidOperationException($"ip {arguments}: exit {code}: {output}");
    }

    public static async Task<(int Code, string Output)> RunAsync(string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Deletes every namespace (veths and the bridge go with them). Processes must be stopped first.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_sockets)
        {
            foreach (var sockets in _sockets) sockets.Dispose();
            _sockets.Clear();
        }
        foreach (var ns in Enumerable.Reverse(_namespaces)) await RunAsync("ip", $"netns del {ns}");
        _namespaces.Clear();
    }
}

/// <summary>The kernel (or the lack of privilege) does not allow network namespaces here.</summary>
public sealed class NamespacesRefusedException(string message) : Exception(message);
