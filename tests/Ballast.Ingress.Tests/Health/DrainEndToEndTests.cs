using System.Net;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Health;

/// <summary>Removing an endpoint while it serves: it finishes its requests and gets no new one; past the drain timeout its requests are cut.</summary>
[Trait("Category", "Integration")]
public sealed class DrainEndToEndTests
{
    [Fact]
    public async Task An_endpoint_removed_while_50_two_second_requests_run_on_it_finishes_all_50_with_200_and_gets_no_new_request()
    {
        var started = 0;
        await using var slow = await TestBackend.StartAsync("slow", async ctx =>
        {
            Interlocked.Increment(ref started);
            await Task.Delay(TimeSpan.FromSeconds(2)); // the work itself, not a synchronisation
            await ctx.Response.WriteAsync("slow");
        });
        await using var other = await TestBackend.StartAsync("other");
        var (ingress, logs) = await HealthE2E.StartAsync();
        await using var _ = ingress;
        var port = FreePort.Next();
        var route = Route("r", ("ns/p", 1));
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("ns/p", slow) with { DrainTimeout = TimeSpan.FromSeconds(10) }));
        var client = ingress.Client(port);

        var inFlight = Enumerable.Range(0, 50).Select(i => client.GetAsync($"/long/{i}")).ToList();
        await HealthFixtures.WaitFor(() => Volatile.Read(ref started) == 50, "50 requests running on the slow endpoint");

        await ingress.ApplyAsync(Of(2, [Listener(port, route)], Pool("ns/p", other) with { DrainTimeout = TimeSpan.FromSeconds(10) }));
        Assert.Equal("draining", await HealthE2E.StateAsync(ingress, "ns/p", slow.Address));
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync($"/new/{i}");
            Assert.Equal("other", await response.Content.ReadAsStringAsync());
        }

        var responses = await Task.WhenAll(inFlight);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync())), body => Assert.Equal("slow", body));
        Assert.Equal(50, slow.Requests); // nothing new after the removal
        Assert.DoesNotContain(slow.Paths, p => p.StartsWith("/new/"));

        await HealthFixtures.WaitFor(() => logs.Lines.Any(l => l.Contains($"{slow.Address} of pool ns/p: DrainFinished: all in-flight requests finished")), "the drain to finish");
        Assert.Contains(logs.Lines, l => l.Contains($"{slow.Address} of pool ns/p: DrainStarted: removed from the configuration with 50 request(s) in flight"));
        Assert.Null(await HealthE2E.StateAsync(ingress, "ns/p", slow.Address));
    }

    [Fact]
    public async Task Requests_still_open_at_the_drain_timeout_are_aborted()
    {
        var started = 0;
        await using var stuck = await TestBackend.StartAsync("stuck", async ctx =>
        {
            Interlocked.Increment(ref started);
            await ctx.Response.WriteAsync("partial ");
            await ctx.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted); // a stream that never ends
        });
        await using var other = await TestBackend.StartAsync("other");
        var (ingress, logs) = await HealthE2E.StartAsync();
        await using var _ = ingress;
        var port = FreePort.Next();
        var route = Route("r", ("ns/p", 1));
        var drain = TimeSpan.FromMilliseconds(300);
        await ingress.ApplyAsync(Of(1, [Listener(port, route)], Pool("ns/p", stuck) with { DrainTimeout = drain }));
        var client = ingress.Client(port);

        var streams = Enumerable.Range(0, 3).Select(async _ =>
        {
            using var response = await client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            try
            {
                await body.CopyToAsync(Stream.Null);
                return "ended";
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                return "aborted";
            }
        }).ToList();
        await HealthFixtures.WaitFor(() => Volatile.Read(ref started) == 3, "3 streams open on the endpoint");

        var removedAt = Environment.TickCount64;
        await ingress.ApplyAsync(Of(2, [Listener(port, route)], Pool("ns/p", other) with { DrainTimeout = drain }));
        var outcomes = await Task.WhenAll(streams).WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = Environment.TickCount64 - removedAt;

        Assert.All(outcomes, o => Assert.Equal("aborted", o));
        Assert.InRange(elapsed, 250, 5_000);
        Assert.Contains(logs.Lines, l => l.Contains($"{stuck.Address} of pool ns/p: DrainFinished: drain timeout 0.3 s passed: aborted 3 open request(s)/stream(s)"));
    }
}
