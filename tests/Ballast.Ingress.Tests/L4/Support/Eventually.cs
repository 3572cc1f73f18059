namespace Ballast.Ingress.Tests.L4.Support;

/// <summary>Polls a condition on real sockets with a deadline (never a bare sleep as synchronisation).</summary>
internal static class Eventually
{
    public static async Task True(Func<bool> condition, string what, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException("timed out waiting for: " + what);
            await Task.Delay(5);
        }
    }
}
