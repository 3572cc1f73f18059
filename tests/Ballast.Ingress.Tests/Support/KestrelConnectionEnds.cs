using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// Why Kestrel ended each connection on a port: the <c>error.type</c> of its <c>kestrel.connection.duration</c>
/// measurements (Kestrel's ConnectionEndReason, e.g. <c>stream_reset_limit_exceeded</c>). The server's own account,
/// for closes whose last frame a client cannot be sure to read (Kestrel writes some GOAWAYs and aborts at once).
/// </summary>
public sealed class KestrelConnectionEnds : IDisposable
{
    private readonly MeterListener _listener = new();

    public KestrelConnectionEnds(int port)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Microsoft.AspNetCore.Server.Kestrel" && instrument.Name == "kestrel.connection.duration")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            int? seenPort = null;
            string? error = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "server.port") seenPort = Convert.ToInt32(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
                else if (tag.Key == "error.type") error = tag.Value?.ToString();
            }
            if (seenPort == port) Reasons.Enqueue(error ?? "none");
        });
        _listener.Start();
    }

    /// <summary>One entry per ended connection on the port: its error.type, or "none" for a clean end.</summary>
    public ConcurrentQueue<string> Reasons { get; } = new();

    /// <summary>Waits (bounded) until a connection on the port ended for one of <paramref name="reasons"/>; fails naming the reasons seen.</summary>
    public async Task AssertEndedForAsync(params string[] reasons)
    {
        try
        {
            await Ballast.Testing.Eventually.True(() => Reasons.Any(reasons.Contains), "a connection ended for " + string.Join(" or ", reasons),
                // Kestrel records the end when the connection is disposed, after its streams have drained: on a
                // loaded machine (the whole suite) that took over 10 s once. The bound only matters when it fails.
                within: TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no connection ended for {string.Join(" or ", reasons)}; Kestrel ended them for: {string.Join(", ", Reasons)}");
        }
    }

    public void Dispose() => _listener.Dispose();
}
