using System.IO.Hashing;
using System.Net.Sockets;
using Ballast.Ingress.Tests.L4.Support;
using Xunit.Abstractions;

namespace Ballast.Ingress.Tests.L4.Tcp;

[Trait("Category", "Integration")]
public sealed class TcpEchoTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ten_thousand_connections_round_robin_over_three_backends_with_identical_streams_and_half_close()
    {
        // Payloads: 1 connection in 100 carries a random size up to 1 MiB, the others up to 4 KiB, so the run moves
        // about 70 MiB each way (printed below) and finishes in seconds on two shared cores.
        const int connections = 10_000;
        const int concurrency = 32;
        await using var a = new TcpBackend("a");
        await using var b = new TcpBackend("b");
        await using var c = new TcpBackend("c");
        var source = new RoundRobinSource("shop/echo", a.Port, b.Port, c.Port);
        var metrics = ProxyFixture.NewMetrics();
        await using var proxy = ProxyFixture.StartTcp(source, metrics);

        var random = new Random(20261125);
        var pool = new byte[2 * 1024 * 1024];
        random.NextBytes(pool);
        var plan = Enumerable.Range(0, connections).Select(i =>
        {
            var size = i % 100 == 0 ? random.Next(0, 1024 * 1024 + 1) : random.Next(1, 4097);
            return (Offset: random.Next(0, pool.Length - size), Size: size);
        }).ToArray();
        long totalBytes = plan.Sum(p => (long)p.Size);
        var mismatches = 0;

        var started = DateTime.UtcNow;
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (p, _) =>
        {
            var payload = pool.AsMemory(p.Offset, p.Size);
            using var s = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
            // The backend echoes only after our FIN: the reply can arrive only if our half-close left the other direction open.
            await SocketIo.SendAllAsync(s, payload);
            s.Shutdown(SocketShutdown.Send);
            var echoed = await SocketIo.ReadToEndAsync(s);
            if (echoed.Length != p.Size || XxHash64.HashToUInt64(echoed) != XxHash64.HashToUInt64(payload.Span)) Interlocked.Increment(ref mismatches);
        });
        output.WriteLine($"{connections} connections, {totalBytes / (1024.0 * 1024):F1} MiB each way, {(DateTime.UtcNow - started).TotalSeconds:F1} s");

        Assert.Equal(0, mismatches);
        Assert.Equal(connections, a.Accepted + b.Accepted + c.Accepted);
        foreach (var backend in new[] { a, b, c })
            Assert.InRange(backend.Accepted, connections / 3, connections / 3 + 1);
        Assert.Equal(connections, metrics.For("tcp-test", "shop/echo").Accepted.Value);
        var bytesIn = source.Endpoints.Sum(e => metrics.For("shop/echo", e).BytesIn.Value);
        var bytesOut = source.Endpoints.Sum(e => metrics.For("shop/echo", e).BytesOut.Value);
        Assert.Equal(totalBytes, (long)bytesIn);
        Assert.Equal(totalBytes, (long)bytesOut);
        await Eventually.True(() => metrics.For("tcp-test", "shop/echo").Active.Value == 0, "active gauge back to 0");
        Assert.All(source.Endpoints, e => Assert.Equal(0, e.Load.InFlight));
    }

    [Fact]
    public async Task Backend_half_close_keeps_the_client_to_backend_direction_open()
    {
        // The backend says hello and closes its sending side at once, then keeps reading: the client must still
        // be able to send afterwards, and the backend sees every byte.
        var received = new TaskCompletionSource<byte[]>();
        await using var backend = new TcpBackend("talker", async s =>
        {
            await SocketIo.SendAllAsync(s, "hello"u8.ToArray());
            s.Shutdown(SocketShutdown.Send);
            received.TrySetResult(await SocketIo.ReadToEndAsync(s));
        });
        var source = new RoundRobinSource("shop/talker", backend.Port);
        await using var proxy = ProxyFixture.StartTcp(source, ProxyFixture.NewMetrics());

        using var client = await SocketIo.ConnectAsync(proxy.LocalEndPoint);
        Assert.Equal("hello"u8.ToArray(), await SocketIo.ReadToEndAsync(client)); // the backend's FIN reached us
        await SocketIo.SendAllAsync(client, "still here"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("still here"u8.ToArray(), await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
