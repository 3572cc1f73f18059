using Ballast.Ingress.Hosting;
using Ballast.Ingress.Listeners;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Listeners;

/// <summary>
/// Abuse at the byte level, against the limits Ballast pins (Listeners/EdgeLimits): HTTP/2 rapid reset
/// (CVE-2023-44487) and CONTINUATION floods end the connection with the right GOAWAY, slow headers are cut, and
/// the process keeps serving everyone else. The frames and bytes are written by the test (RawH2, RawHttp), the
/// origin records what reached it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EdgeAbuseTests : IAsyncLifetime
{
    private const int ProtocolError = 1;

    private readonly KestrelEvents _kestrel = new();
    private OriginBehindIngress _edge = null!;

    // A short header timeout so that never-ending heads are cut within the test's patience.
    public async Task InitializeAsync() =>
        _edge = await OriginBehindIngress.StartAsync(new IngressOptions { RequestHeadersTimeout = TimeSpan.FromSeconds(1), ConfigureLogging = _kestrel.AddTo });

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task Rapid_reset_ends_the_connection_with_goaway_enhance_your_calm_and_the_proxy_keeps_serving()
    {
        await using var h2 = await RawH2.ConnectAsync(_edge.Port);
        var outcome = h2.ReadOutcomeAsync(0); // read while writing: the server's answers must not back up
        // 20,000 streams, each opened and reset at once, in one write: far past twice the stream limit in flight.
        var block = RawH2.Block("/");
        var flood = new MemoryStream();
        for (var i = 0; i < 20_000; i++)
        {
            var stream = 2 * i + 1;
            flood.Write(RawH2.Frame(RawH2.Headers, RawH2.EndStream | RawH2.EndHeaders, stream, block));
            flood.Write(RawH2.Frame(RawH2.RstStream, 0, stream, [0, 0, 0, 8])); // CANCEL
        }
        await WriteUntilClosedAsync(h2, flood.ToArray());

        // Kestrel has two defenses and the timing picks one: past twice the stream limit of reset streams still in
        // flight it refuses new ones and then ends the connection (GOAWAY ENHANCE_YOUR_CALM); when the frames it owes
        // the client back up past the same bound, it ends it for its output queue. Either way it queues the GOAWAY
        // and aborts the socket at once, so a client may read the frame or only the close: why the connection
        // ended is Kestrel's to say, in the log event it writes when it decides.
        Assert.True(await outcome is "goaway 11" or "goaway 2" or "closed", await outcome);
        await Eventually.GetAsync(() => string.Join(" | ", _kestrel.Events.Distinct()),
            seen => seen.Contains("Http2QueueOperationsExceeded:", StringComparison.Ordinal) // output_queue_size_exceeded
                || seen.Contains("Http2TooManyEnhanceYourCalms:", StringComparison.Ordinal), // the stream_reset_limit_exceeded path
            "Kestrel to refuse the flood for its reset streams or its output queue");
        Assert.True(_edge.Origin.Heads.Count < 2_000, $"{_edge.Origin.Heads.Count} of the 20,000 reset streams reached the origin");
        await AssertStillServingAsync();
    }

    [Theory]
    // 10,000 frames of ten small fields: 100,000 fields against a limit of 100.
    [InlineData("many small fields", 10, 1, 10_000)]
    // 1,000 frames of one 8 KiB field (8 MiB): the block is cut past twice the 32 KiB limit.
    [InlineData("large fields", 1, 8 * 1024, 1_000)]
    public async Task A_continuation_flood_ends_the_connection_with_goaway_protocol_error(string what, int fieldsPerFrame, int valueLength, int frames)
    {
        await using var h2 = await RawH2.ConnectAsync(_edge.Port);
        var outcome = h2.ReadOutcomeAsync(0);
        var flood = new MemoryStream();
        flood.Write(RawH2.Frame(RawH2.Headers, RawH2.EndStream, 1, RawH2.Block("/"))); // never END_HEADERS
        var fields = Enumerable.Range(0, fieldsPerFrame).Select(i => ($"x-f{i}", new string('v', valueLength))).ToArray();
        var continuation = RawH2.Frame(RawH2.Continuation, 0, 1, RawH2.Fields(fields));
        for (var i = 0; i < frames; i++) flood.Write(continuation);
        await WriteUntilClosedAsync(h2, flood.ToArray());

        Assert.True(await outcome == "goaway " + ProtocolError, $"{what}: {await outcome}");
        Assert.True(_edge.Origin.Heads.IsEmpty, $"{what}: a header block that never ended reached the origin");
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_continuation_flood_of_empty_frames_is_cut_by_the_request_headers_timeout()
    {
        // Empty CONTINUATION frames grow nothing Kestrel counts; only the time the head may take ends them.
        using var ends = new KestrelConnectionEnds(_edge.Port);
        await using var h2 = await RawH2.ConnectAsync(_edge.Port);
        var outcome = h2.ReadOutcomeAsync(0);
        await h2.WriteFrameAsync(RawH2.Headers, RawH2.EndStream, 1, RawH2.Block("/"));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var empty = RawH2.Frame(RawH2.Continuation, 0, 1, []);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (!outcome.IsCompleted && !stop.IsCancellationRequested)
            {
                for (var i = 0; i < 100; i++) await h2.WriteAsync(empty); // a steady trickle, never END_HEADERS
                await Task.WhenAny(outcome, Task.Delay(TimeSpan.FromMilliseconds(10), stop.Token));
            }
        }
        catch (IOException)
        {
            // the server closed the connection under our writes
        }
        catch (OperationCanceledException)
        {
        }

        // GOAWAY INTERNAL_ERROR is queued and the socket aborted at once, as for rapid reset (see there).
        Assert.True(await outcome is "goaway 2" or "closed", await outcome);
        await ends.AssertEndedForAsync("request_headers_timeout");
        // The configured 1 s (on Kestrel's 1 s heartbeat) cut it, not Kestrel's default 30 s nor the 20 s the test trickles.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"cut after {started.Elapsed}");
        Assert.True(_edge.Origin.Heads.IsEmpty);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Slow_http11_headers_get_408_at_the_request_headers_timeout()
    {
        await using var client = await RawHttp.ConnectAsync(_edge.Port);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await client.WriteAsync("GET / HTTP/1.1\r\nHost: shop.example\r\n");
        var answer = client.ReadResponseAsync();
        for (var i = 0; !answer.IsCompleted && i < 400; i++)
        {
            try
            {
                await client.WriteAsync($"X-Slow-{i}: v\r\n"); // a field every 50 ms, never the blank line
            }
            catch (IOException)
            {
                break;
            }
            await Task.WhenAny(answer, Task.Delay(50));
        }

        Assert.Equal(408, (await answer).Status);
        // The configured 1 s cut it, not Kestrel's default 30 s nor the 20 s the test trickles.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"cut after {started.Elapsed}");
        Assert.True(await client.ClosedByServerAsync());
        Assert.True(_edge.Origin.Heads.IsEmpty);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task The_limits_an_edge_proxy_uses_are_what_a_client_is_told()
    {
        // The SETTINGS frame is where a client learns the stream limit and frame size (RFC 9113 §6.5.2).
        await using var h2 = await RawH2.ConnectAsync(_edge.Port);
        var settings = await h2.ReadSettingsAsync();
        Assert.Equal((uint)EdgeLimits.MaxStreamsPerConnection, settings[0x3]); // SETTINGS_MAX_CONCURRENT_STREAMS
        Assert.True(!settings.TryGetValue(0x5, out var frameSize) || frameSize == 16 * 1024, $"max frame size {frameSize}");
    }

    /// <summary>Writes the flood; the server may close the connection before it is all written (that is the point).</summary>
    private static async Task WriteUntilClosedAsync(RawH2 h2, byte[] flood)
    {
        try
        {
            await h2.WriteAsync(flood);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A new HTTP/2 connection and an HTTP/1.1 one are served, and no request is left in flight.</summary>
    private async Task AssertStillServingAsync()
    {
        await using var h2 = await RawH2.ConnectAsync(_edge.Port);
        await h2.WriteFrameAsync(RawH2.Headers, RawH2.EndStream | RawH2.EndHeaders, 1, RawH2.Block("/after"));
        Assert.Equal("status 200", await h2.ReadOutcomeAsync(1));
        await using var http11 = await RawHttp.ConnectAsync(_edge.Port);
        Assert.Equal(200, (await http11.SendAsync("GET /after HTTP/1.1\r\nHost: shop.example\r\n\r\n")).Status);
        await Eventually.True(async () => PrometheusText.Value(await _edge.Ingress.MetricsAsync(), "ballast_requests_in_flight") == 0,
            "no request left in flight after the abuse");
    }
}
