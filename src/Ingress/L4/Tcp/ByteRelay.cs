using System.Buffers;
using System.Net.Sockets;
using Prometheus;

namespace Ballast.Ingress.L4.Tcp;

/// <summary>
/// Copies bytes both ways between client and backend with two pooled buffers and no allocation per read.
/// Half-close is honoured: EOF from one side becomes <c>Shutdown(Send)</c> towards the other, while the other
/// direction keeps flowing until it ends too. A reset on either side, the idle timeout, or an abort from
/// outside (drain deadline, listener stop) tears both sockets down.
/// </summary>
internal static class ByteRelay
{
    public static async Task RunAsync(L4Connection connection, Socket backend, int bufferSize, Counter.Child bytesIn, Counter.Child bytesOut, TimeSpan idleTimeout, TimeProvider time)
    {
        using var idle = new IdleWatch(connection, idleTimeout, time);
        var up = PumpAsync(connection.Client, backend, bytesIn, connection, bufferSize);
        var down = PumpAsync(backend, connection.Client, bytesOut, connection, bufferSize);
        await Task.WhenAll(up, down).ConfigureAwait(false);
    }

    private static async Task PumpAsync(Socket from, Socket to, Counter.Child counter, L4Connection connection, int bufferSize)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    // FIN from this side: pass it on, keep the other direction open.
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                connection.Touch();
                counter.Inc(n);
                var sent = 0;
                while (sent < n) sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            connection.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One timer per connection that fires at most once per idle period and re-arms for the remaining time.</summary>
    private sealed class IdleWatch : IDisposable
    {
        private readonly L4Connection _connection;
        private readonly TimeSpan _idleTimeout;
        private readonly System.Threading.ITimer _timer;

        public IdleWatch(L4Connection connection, TimeSpan idleTimeout, TimeProvider time)
        {
            _connection = connection;
            _idleTimeout = idleTimeout;
            _timer = time.CreateTimer(static s => ((IdleWatch)s!).Check(), this, idleTimeout, Timeout.InfiniteTimeSpan);
        }

        private void Check()
        {
            var idleFor = _connection.IdleFor;
            if (idleFor >= _idleTimeout) _connection.Abort();
            else _timer.Change(_idleTimeout - idleFor, Timeout.InfiniteTimeSpan);
        }

        public void Dispose() => _timer.Dispose();
    }
}
