using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ballast.Ha.Tests.Lab;

/// <summary>
/// Creates sockets inside a network namespace from this (test) process: one dedicated thread enters the namespace
/// with setns(2) and makes every socket asked of it. A socket belongs for life to the namespace it was made in,
/// so the test's clients and in-process backends talk from the namespace without being separate processes.
/// </summary>
public sealed class NamespaceSockets : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly BlockingCollection<(Func<Socket> Make, TaskCompletionSource<Socket> Done)> _requests = new();
    private readonly Thread _thread;

    public NamespaceSockets(string netns)
    {
        Name = netns;
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() => Run(netns, entered)) { IsBackground = true, Name = "netns " + netns };
        _thread.Start();
        entered.Task.GetAwaiter().GetResult();
    }

    public string Name { get; }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    private void Run(string netns, TaskCompletionSource entered)
    {
        try
        {
            using var handle = File.OpenHandle($"/run/netns/{netns}", FileMode.Open, FileAccess.Read);
            if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                throw new InvalidOperationException($"setns({netns}) failed: errno {Marshal.GetLastPInvokeError()}");
            entered.SetResult();
        }
        catch (Exception e)
        {
            entered.SetException(e);
            return;
        }
        foreach (var (make, done) in _requests.GetConsumingEnumerable())
        {
            try { done.SetResult(make()); }
            catch (Exception e) { done.SetException(e); }
        }
    }

    public Socket Create(AddressFamily family, SocketType type, ProtocolType protocol)
    {
        var done = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((() => new Socket(family, type, protocol), done));
        return done.Task.GetAwaiter().GetResult();
    }

    public Socket Tcp() => Create(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    public Socket Udp() => Create(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    /// <summary>A TCP connection from <paramref name="from"/> (null: the namespace picks) to <paramref name="to"/>.</summary>
    public async Task<Socket> ConnectAsync(IPEndPoint to, IPAddress? from = null, CancellationToken cancellationToken = default)
    {
        var socket = Tcp();
        try
        {
            socket.NoDelay = true;
            if (from is not null) socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(to, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An HTTP client whose connections are made in this namespace. By default one request per connection
    /// (<c>Connection: close</c>), so every request shows where the VIP is at the moment it starts; with
    /// <paramref name="keepAlive"/>, pooled connections (at most <paramref name="maxConnections"/>) that live as long
    /// as the server keeps them. <paramref name="connected"/> is called for every connection made.
    /// </summary>
    public HttpClient HttpClient(TimeSpan timeout, bool keepAlive = false, int maxConnections = int.MaxValue, Action? connected = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = keepAlive ? Timeout.InfiniteTimeSpan : TimeSpan.Zero,
            // A keep-alive connection is closed only by the server or a failure, never for idling on the client's side.
            PooledConnectionIdleTimeout = keepAlive ? Timeout.InfiniteTimeSpan : TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = maxConnections,
            ConnectCallback = async (context, token) =>
            {
                connected?.Invoke();
                var address = IPAddress.Parse(context.DnsEndPoint.Host);
                var socket = await ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken: token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var client = new HttpClient(handler) { Timeout = timeout };
        client.DefaultRequestHeaders.ConnectionClose = !keepAlive;
        return client;
    }

    public void Dispose() => _requests.CompleteAdding();
}
