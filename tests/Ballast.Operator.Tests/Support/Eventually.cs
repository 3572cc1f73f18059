namespace Ballast.Operator.Tests.Support;

/// <summary>Waits for a condition on real sockets with a deadline (no sleeps as synchronisation: it polls and fails loudly).</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        T last = await probe();
        while (!done(last))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}; last seen: {last}");
            await Task.Delay(20);
            last = await probe();
        }
        return last;
    }

    public static Task<bool> TrueAsync(Func<bool> condition, string what, TimeSpan? within = null) =>
        GetAsync(() => Task.FromResult(condition()), b => b, what, within);
}
