using System.Net;
using System.Text;
using Ballast.Ingress.AccessLog;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Tests.L4.Support;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.AccessLog;

/// <summary>The queue between requests and files: full means dropped and counted, never waiting; rotation; sampling.</summary>
[Trait("Category", "Integration")]
public sealed class AccessLogQueueTests
{
    private static Snapshot Logged(int port, TestBackend backend, AccessLogSnapshot log) =>
        Of(1, [Listener(port, Route("r", ("p", 1)) with { AccessLog = log }) with { AccessLog = log }], Pool("p", backend));

    /// <summary>Standard output that blocks every write until released, keeping what was written.</summary>
    private sealed class StuckOutput : Stream
    {
        private readonly ManualResetEventSlim _release = new();
        private readonly MemoryStream _kept = new();
        public volatile bool Entered;
        public void Release() => _release.Set();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Entered = true;
            _release.Wait();
            lock (_kept) _kept.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public string Text() { lock (_kept) return Encoding.UTF8.GetString(_kept.ToArray()); }
        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_while_requests_go_on_answering()
    {
        var output = new StuckOutput();
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions
        {
            AccessLog = new AccessLogOptions { QueueCapacity = 4, StandardOutput = () => output },
        });
        var port = FreePort.Next();
        await ingress.ApplyAsync(Logged(port, backend, new AccessLogSnapshot()));
        var client = ingress.Client(port);
        client.Timeout = TimeSpan.FromSeconds(10);

        await client.GetAsync("/first");
        await Eventually.True(() => output.Entered, "the writer to be stuck writing the first line");
        // The writer is stuck: 4 entries fit in the queue, the other 16 are dropped. Every request is still answered.
        for (var i = 0; i < 20; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/r{i}")).StatusCode);
        await Eventually.True(() => ingress.Host.AccessLog.Dropped == 16, $"16 dropped (dropped: {ingress.Host.AccessLog.Dropped})");
        Assert.Equal(16, PrometheusText.Value(await ingress.MetricsAsync(), "ballast_access_log_dropped_total"));

        output.Release();
        await Eventually.True(() => ingress.Host.AccessLog.Written == 5, "the first line and the 4 queued ones written");
        var paths = output.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => AccessLogFiles.Json(l).GetProperty("path").GetString()!);
        Assert.Equal(["/first", "/r0", "/r1", "/r2", "/r3"], paths.ToArray());
        Assert.Equal(16, ingress.Host.AccessLog.Dropped);
    }

    [Fact]
    public async Task Files_rotate_by_size_keeping_the_newest_lines_and_reopen_when_told()
    {
        using var files = new AccessLogFiles();
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Logged(port, backend, new AccessLogSnapshot { File = files.File, MaxFileBytes = 4096, KeepFiles = 2 }));
        var client = ingress.Client(port);

        for (var i = 0; i < 40; i++) await client.GetAsync($"/r{i}");
        await AccessLogFiles.WaitForLinesAsync(ingress.Host, 40);

        string[] chain = [files.File + ".2", files.File + ".1", files.File];
        Assert.All(chain, f => Assert.InRange(new FileInfo(f).Length, 1, 4096));
        Assert.False(File.Exists(files.File + ".3"), "keepFiles: 2 keeps FILE.1 and FILE.2 only");
        // Oldest file first, the lines are the newest requests in order, without a gap, ending with the last one.
        var paths = chain.SelectMany(f => files.Lines(f)).Select(l => AccessLogFiles.Json(l).GetProperty("path").GetString()!).ToArray();
        var first = 40 - paths.Length;
        Assert.True(first > 0, "older lines were rotated away");
        Assert.Equal(Enumerable.Range(first, paths.Length).Select(i => $"/r{i}").ToArray(), paths);

        // An outside rotation moves the file away; after Reopen (SIGUSR1) the next line goes to a new file at the path.
        File.Move(files.File, files.File + ".moved");
        await client.GetAsync("/before-reopen");
        await AccessLogFiles.WaitForLinesAsync(ingress.Host, 41);
        ingress.Host.AccessLog.Reopen();
        await client.GetAsync("/after-reopen");
        await AccessLogFiles.WaitForLinesAsync(ingress.Host, 42);
        Assert.EndsWith("/before-reopen", AccessLogFiles.Json(files.Lines(files.File + ".moved").Last()).GetProperty("path").GetString()!);
        Assert.Equal("/after-reopen", AccessLogFiles.Json(Assert.Single(files.Lines())).GetProperty("path").GetString()!);
    }

    [Fact]
    public async Task Ratio_sampling_keeps_the_requests_the_seeded_draws_choose()
    {
        using var files = new AccessLogFiles();
        await using var backend = await TestBackend.StartAsync("a");
        await using var ingress = await IngressFixture.StartAsync(new IngressOptions { AccessLog = new AccessLogOptions { Random = new Random(7) } });
        var port = FreePort.Next();
        await ingress.ApplyAsync(Logged(port, backend, new AccessLogSnapshot { File = files.File, Sampling = AccessLogSampling.Ratio, Ratio = 0.3 }));
        var client = ingress.Client(port);

        for (var i = 0; i < 60; i++) await client.GetAsync($"/r{i}");
        var draws = new Random(7);
        var expected = Enumerable.Range(0, 60).Where(_ => draws.NextDouble() < 0.3).Select(i => $"/r{i}").ToArray();
        await AccessLogFiles.WaitForLinesAsync(ingress.Host, expected.Length);
        await ingress.ApplyAsync(Logged(port, backend, new AccessLogSnapshot { File = files.File }) with { Version = 2 });
        await client.GetAsync("/end"); // sampling All now: its line comes after every sampled one
        await AccessLogFiles.WaitForLinesAsync(ingress.Host, expected.Length + 1);

        var paths = files.Lines().Select(l => AccessLogFiles.Json(l).GetProperty("path").GetString()!).ToArray();
        Assert.Equal([.. expected, "/end"], paths);
        Assert.InRange(expected.Length, 10, 26); // the seed gives a plausible share, not all or nothing
    }

    [Fact]
    public async Task Errors_sampling_keeps_only_responses_of_400_and_above()
    {
        using var files = new AccessLogFiles();
        await using var backend = await TestBackend.StartAsync("a", ctx =>
        {
            ctx.Response.StatusCode = int.Parse(ctx.Request.Path.Value!.TrimStart('/'), System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
        await using var ingress = await IngressFixture.StartAsync();
        var port = FreePort.Next();
        await ingress.ApplyAsync(Logged(port, backend, new AccessLogSnapshot { File = files.File, Sampling = AccessLogSampling.Errors }));
        var client = ingress.Client(port);

        foreach (var status in new[] { 200, 404, 204, 503, 302, 399, 400 }) await client.GetAsync($"/{status}");
        await AccessLogFiles.WaitForLinesAsync(ingress.Host, 3);
        await ingress.ApplyAsync(Logged(port, backend, new AccessLogSnapshot { File = files.File }) with { Version = 2 });
        await client.GetAsync("/201");
        await AccessLogFiles.WaitForLinesAsync(ingress.Host, 4);

        var statuses = files.Lines().Select(l => AccessLogFiles.Json(l).GetProperty("status").GetInt32()).ToArray();
        Assert.Equal([404, 503, 400, 201], statuses);
    }
}
