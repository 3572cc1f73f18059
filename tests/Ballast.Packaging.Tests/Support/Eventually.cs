namespace Ballast.Packaging.Tests.Support;

/// <summary>Polls a condition on real sockets/processes with a deadline; fails loudly with the last value seen.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? within = null, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        var last = await probe();
        while (!done(last))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}; last seen: {last}");
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(50));
            last = await probe();
        }
        return last;
    }
}
