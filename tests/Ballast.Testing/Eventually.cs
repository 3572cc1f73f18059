using System.Diagnostics;

namespace Ballast.Testing;

/// <summary>
/// The one way a test waits: poll an observable condition (a socket answer, a counter, a file, a status) until it
/// holds or a deadline passes, then fail loudly with what was last seen. Never a fixed sleep as synchronisation:
/// a slow machine only makes the wait longer, and a fast one never waits for nothing. The deadline is generous
/// (a loaded CI machine) and only reached when the feature is broken.
/// </summary>
public static class Eventually
{
    /// <summary>How long a condition may take by default.</summary>
    public static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(15);

    /// <summary>Pause between probes: short, so a test ends soon after its condition holds.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for its value; returns that value.
    /// <paramref name="every"/> spaces the probes when a probe is itself costly (a Prometheus query).</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? within = null, TimeSpan? every = null)
    {
        var limit = within ?? DefaultWithin;
        var clock = Stopwatch.StartNew();
        var last = await probe();
        while (!done(last))
        {
            if (clock.Elapsed > limit) throw new TimeoutException($"waited {limit.TotalSeconds:0.#} s for {what}; last seen: {Describe(last)}");
            await Task.Delay(every ?? Interval);
            last = await probe();
        }
        return last;
    }

    /// <summary>Synchronous probe (an in-process counter, a property).</summary>
    public static Task<T> GetAsync<T>(Func<T> probe, Func<T, bool> done, string what, TimeSpan? within = null) =>
        GetAsync(() => Task.FromResult(probe()), done, what, within);

    /// <summary>Waits until <paramref name="condition"/> is true.</summary>
    public static Task True(Func<bool> condition, string what, TimeSpan? within = null) =>
        GetAsync(() => Task.FromResult(condition()), static ok => ok, what, within);

    /// <summary>Waits until the asynchronous <paramref name="condition"/> is true.</summary>
    public static Task True(Func<Task<bool>> condition, string what, TimeSpan? within = null) =>
        GetAsync(condition, static ok => ok, what, within);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => s.Length > 500 ? s[..500] + "…" : s,
        _ => value.ToString() ?? "",
    };
}
