using System.Net;
using System.Net.Sockets;

namespace Ballast.Ingress.Tests.L4.Support;

internal static class SocketIo
{
    public static async Task<Socket> ConnectAsync(IPEndPoint to)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await s.ConnectAsync(to);
        return s;
    }

    public static async Task SendAllAsync(Socket s, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty) data = data[await s.SendAsync(data, SocketFlags.None)..];
    }

    /// <summary>Reads until the peer's FIN; a reset counts as the end too (returns what arrived).</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket s, int timeoutMs = 10000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int n;
            try { n = await s.ReceiveAsync(buffer, SocketFlags.None, cts.Token); }
            catch (SocketException) { break; }
            if (n == 0) break;
            all.Write(buffer, 0, n);
        }
        return all.ToArray();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes or throws.</summary>
    public static async Task<byte[]> ReadExactlyAsync(Socket s, int count, int timeoutMs = 10000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[count];
        var got = 0;
        while (got < count)
        {
            var n = await s.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, cts.Token);
            if (n == 0) throw new IOException($"EOF after {got} of {count} bytes");
            got += n;
        }
        return buffer;
    }

    /// <summary>True when the peer closed (FIN or reset) within the timeout.</summary>
    public static async Task<bool> IsClosedByPeerAsync(Socket s, int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[1];
        try { return await s.ReceiveAsync(buffer, SocketFlags.None, cts.Token) == 0; }
        catch (SocketException) { return true; }
        catch (OperationCanceledException) { return false; }
    }
}
