using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ballast.Ha.Tests.Lab;

/// <summary>
/// The sample's backends (samples/ha-pair/config/pools.yaml), in this process but with sockets in the lab's
/// <c>backends</c> namespace: on each of 192.0.2.21–23, HTTP on :8080 (answers its name in <c>X-Backend</c> and
/// the address the request came from — the Ballast node — in <c>X-Via</c>), TCP on :5432 (writes its name and a
/// newline on accept) and UDP on :53 (answers each datagram with its name).
/// </summary>
public sealed class LabBackends : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();

    public static string NameOf(IPAddress address) => "backend-" + address.GetAddressBytes()[3];

    /// <summary>
    /// Every HTTP request a backend answered: when (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>) and from which
    /// Ballast node. The first answer through a node, seen here, is not delayed by the client's own scheduling.
    /// </summary>
    public System.Collections.Concurrent.ConcurrentQueue<(long Timestamp, string? Via)> Answers { get; } = new();

    /// <summary>When a backend first answered a request that came through <paramref name="via"/> after <paramref name="after"/>, or null.</summary>
    public long? FirstAnswerVia(string via, long after)
        => Answers.Where(a => a.Via == via && a.Timestamp > after).Select(a => (long?)a.Timestamp).Min();

    public static async Task<LabBackends> StartAsync(NetworkLab lab)
    {
        var ns = lab.Sockets("backends");
        var backends = new LabBackends();
        foreach (var address in NetworkLab.Backends)
        {
            var name = NameOf(address);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = endpoint =>
            {
                var socket = ns.Tcp();
                socket.Bind(endpoint);
                return socket;
            });
            builder.WebHost.ConfigureKestrel(k => k.Listen(address, 8080));
            var app = builder.Build();
            app.Run(context =>
            {
                backends.Answers.Enqueue((System.Diagnostics.Stopwatch.GetTimestamp(), context.Connection.RemoteIpAddress?.ToString()));
                context.Response.Headers["X-Backend"] = name;
                context.Response.Headers["X-Via"] = context.Connection.RemoteIpAddress?.ToString();
                return context.Response.WriteAsync(name);
            });
            await app.StartAsync();
            backends._apps.Add(app);

            var tcp = ns.Tcp();
            tcp.Bind(new IPEndPoint(address, 5432));
            tcp.Listen(512);
            backends._sockets.Add(tcp);
            _ = backends.AcceptLoop(tcp, Encoding.ASCII.GetBytes(name + "\n"));

            var udp = ns.Udp();
            udp.Bind(new IPEndPoint(address, 53));
            backends._sockets.Add(udp);
            _ = backends.UdpLoop(udp, Encoding.ASCII.GetBytes(name));
        }
        return backends;
    }

    private async Task AcceptLoop(Socket listener, byte[] greeting)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await listener.AcceptAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await client.SendAsync(greeting);
                            var buffer = new byte[64];
                            while (await client.ReceiveAsync(buffer) > 0) { } // hold the connection until the client closes it
                        }
                        catch (SocketException) { }
                    }
                });
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
    }

    private async Task UdpLoop(Socket socket, byte[] answer)
    {
        var buffer = new byte[2048];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, _stop.Token);
                await socket.SendToAsync(answer, SocketFlags.None, from, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var socket in _sockets) socket.Dispose();
        foreach (var app in _apps) await app.DisposeAsync();
    }
}
