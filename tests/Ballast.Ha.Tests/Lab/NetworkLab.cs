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
        // The first namespace alone: a refusal there means the kernel or our privileges refuse namespaces (skip).
        var sw = await AddNamespaceAsync("sw");
        var hosts = new (string Host, IPAddress[] Addresses)[]
        {
            ("a", [NodeA]),
            ("b", [NodeB]),
            ("client", [Client, .. Enumerable.Range(0, extraClientAddresses).Select(i => IPAddress.Parse($"{Subnet}.{101 + i}"))]),
            ("backends", [Redis, .. Backends]),
        };
        // The rest in one `ip -batch` per namespace: a few processes instead of one per command (over a hundred with the
        // extra client addresses), which on a loaded machine took a second or more.
        await Batch(null, hosts.SelectMany(h => (string[])[$"netns add {Named(h.Host)}",
            $"link add eth0 netns {Ns(h.Host)} type veth peer name p-{h.Host} netns {sw}"]));
        await Task.WhenAll(hosts
            .Select(h => Batch(Ns(h.Host), ["link set lo up", .. h.Addresses.Select(a => $"addr add {a}/24 dev eth0"), "link set eth0 up"]))
            .Append(Batch(sw, ["link add br0 type bridge", "link set br0 up",
                .. hosts.SelectMany(h => (string[])[$"link set p-{h.Host} master br0", $"link set p-{h.Host} up"])])));
    }

    /// <summary>Runs <c>ip</c> commands in one process, inside namespace <paramref name="ns"/> (null: this one).</summary>
    private static async Task Batch(string? ns, IEnumerable<string> commands)
    {
        var (code, output) = await RunAsync("ip", ns is null ? "-batch -" : $"-n {ns} -batch -", string.Join('\n', commands) + "\n");
        if (code != 0) throw new InvalidOperationException($"ip {(ns is null ? "" : $"-n {ns} ")}-batch: exit {code}: {output}");
    }

    /// <summary>Names a host's namespace and records it, so that <see cref="DisposeAsync"/> deletes it.</summary>
    private string Named(string host)
    {
        var name = $"{Prefix}-{host}";
        _namespaces.Add(name);
        _names[host] = name;
        return name;
    }

    private async Task<string> AddNamespaceAsync(string host)
    {
        var name = $"{Prefix}-{host}";
        var (code, output) = await RunAsync("ip", $"netns add {name}");
        if (code != 0) throw new NamespacesRefusedException($"'ip netns add' was refused: {output.Trim()}");
        Named(host);
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

    public static async Task<(int Code, string Output)> RunAsync(string program, string arguments, string? input = null)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
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
