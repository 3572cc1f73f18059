using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ballast.Ha.Tests.Lab;
using Xunit.Abstractions;

namespace Ballast.Ha.Tests;

/// <summary>
/// The sample's active-passive pair (samples/ha-pair, keepalived/active-passive) in network namespaces: node A
/// (priority 150) holds the VIP, node B (100) waits. Under 200 requests/s to the VIP, A's Ballast is killed
/// (SIGKILL): keepalived's /readyz check fails, A goes FAULT and releases the VIP, B takes it. Then A's Ballast
/// comes back; with nopreempt B keeps the VIP, with preemption A takes it back — and in both no request fails: the
/// connections open on B when the VIP moves keep reaching B through A (samples/ha-pair/scripts/vip-handback.nft).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ActivePassiveFailoverTests(ITestOutputHelper output)
{
    private static readonly string VipUrl = $"http://{NetworkLab.Vip}:8080/";
    private static readonly string ViaA = NetworkLab.NodeA.ToString();
    private static readonly string ViaB = NetworkLab.NodeB.ToString();

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Killing_the_masters_Ballast_moves_the_VIP_within_3_s_and_failing_back_fails_no_request(bool nopreempt)
    {
        await using var pair = await HaPair.StartAsync("active-passive", nopreempt);
        var client = pair.Lab.Sockets("client");
        await pair.WaitReadyAsync("a", TimeSpan.FromSeconds(60));
        await pair.WaitReadyAsync("b", TimeSpan.FromSeconds(60));
        // The preferred node first: with nopreempt whoever becomes master first stays master, as in a real rollout.
        pair.StartKeepalived("a");
        await pair.WaitAsync(async () => await pair.RoleAsync("a", "VI_1") == "master", "A master, as told by keepalived's notify script", TimeSpan.FromSeconds(20));
        pair.StartKeepalived("b");
        await pair.WaitAsync(async () => await pair.RoleAsync("b", "VI_1") == "backup", "B backup", TimeSpan.FromSeconds(20));
        Assert.True(await pair.Lab.HoldsAsync("a", NetworkLab.Vip));

        // A client with an affinity cookie, pinned through A.
        using var sticky = client.HttpClient(TimeSpan.FromSeconds(10));
        var (cookie, pinnedBackend) = await FirstVisitAsync(sticky);

        // B has served nothing yet: its forwarding path is not JIT-compiled, and on a loaded machine its first requests
        // take a second or more. Warm it through its own address, as a monitoring probe of each node would, so that
        // the failover below times the VIP's move and not .NET's warm-up.
        using (var warm = client.HttpClient(TimeSpan.FromSeconds(20)))
        {
            for (var i = 0; i < 20; i++) (await warm.GetAsync($"http://{NetworkLab.NodeB}:8080/")).EnsureSuccessStatusCode();
        }

        await using var load = new Load(client, VipUrl, perSecond: 200);
        await pair.WaitAsync(() => Task.FromResult(load.Results.Count(r => r.Ok && r.Via == ViaA) >= 100), "100 answers through A", TimeSpan.FromSeconds(20));

        var killedAt = load.Clock.Elapsed;
        var killTimestamp = Stopwatch.GetTimestamp();
        output.WriteLine($"kill at {DateTime.UtcNow:HH:mm:ss.fff} UTC");
        await pair.KillBallastAsync("a"); // SIGKILL, then wait until the process is gone
        var diedAt = load.Clock.Elapsed;
        await pair.WaitAsync(() => Task.FromResult(load.Results.Any(r => r.Ok && r.Via == ViaB)), "an answer through B", TimeSpan.FromSeconds(15));
        // The failover ends when a backend answers the first request that reached it through B: both instants are
        // taken by this process on one clock (the backends live here), with no client-side scheduling delay between.
        var failover = Stopwatch.GetElapsedTime(killTimestamp, pair.Backends!.FirstAnswerVia(ViaB, killTimestamp)!.Value);
        var clientSaw = load.Results.Where(r => r.Ok && r.Via == ViaB).Min(r => r.Ended) - killedAt;
        output.WriteLine($"failover: {failover.TotalMilliseconds:F0} ms from the kill to the first answer through B " +
            $"(the client read it after {clientSaw.TotalMilliseconds:F0} ms; the process took {(diedAt - killedAt).TotalMilliseconds:F0} ms to die)");

        Assert.Equal(pinnedBackend, await VisitAsync(sticky, cookie)); // B honours A's cookie: same backend
        await pair.WaitAsync(async () => await pair.RoleAsync("b", "VI_1") == "master", "B told it is master", TimeSpan.FromSeconds(10));
        var failedAroundKill = load.Results.Where(r => !r.Ok).ToList();
        // In flight on the dead node: sent through A before it was gone, not answered before the kill.
        var inFlightOnA = load.Results.Where(r => r.Started <= diedAt && r.Ended >= killedAt && r.Via != ViaB).ToList();

        // A keep-alive client too from here on, with at most one connection at a time, made to B: so that a reset cannot
        // hide (.NET retries a request that failed on a reused connection on a new one) and every new connection counts.
        await using var keepAlive = new Load(client, VipUrl, perSecond: 50, keepAlive: true, maxConnections: 1);
        // And two idle connections to B that cross A's return without a request in flight: one then asks a request, the
        // other is closed by the client (its FIN must reach B, which answers with its own, not be reset by A).
        var vipEndpoint = new IPEndPoint(NetworkLab.Vip, 8080);
        using var idleThenAsked = await client.ConnectAsync(vipEndpoint);
        using var idleThenClosed = await client.ConnectAsync(vipEndpoint);
        await pair.WaitAsync(() => Task.FromResult(keepAlive.Results.Count(r => r.Ok && r.Via == ViaB) >= 20), "20 keep-alive answers through B", TimeSpan.FromSeconds(20));

        // A returns.
        var returnedAt = load.Clock.Elapsed;
        TimeSpan? handback = null; // with preemption: A's first answer after taking the VIP back
        pair.StartBallast("a");
        await pair.WaitReadyAsync("a", TimeSpan.FromSeconds(60));
        if (nopreempt)
        {
            await pair.WaitAsync(async () => await pair.RoleAsync("a", "VI_1") == "backup", "A back as backup", TimeSpan.FromSeconds(20));
            var observed = load.Clock.Elapsed;
            // With preemption A, now a backup of higher priority, would take the VIP once B's adverts stop counting for it:
            // after the master-down interval (3 advert intervals + skew, about 0.34 s). Four times that of traffic, and
            // with nopreempt nothing moves back.
            await pair.WaitAsync(() => Task.FromResult(load.Results.Any(r => r.Started > observed + TimeSpan.FromSeconds(1.5))), "1.5 s of traffic", TimeSpan.FromSeconds(10));
            Assert.True(await pair.Lab.HoldsAsync("b", NetworkLab.Vip));
            Assert.DoesNotContain(load.Results, r => r.Started > observed && r.Via == ViaA);
        }
        else
        {
            await pair.WaitAsync(() => Task.FromResult(load.Results.Any(r => r.Ok && r.Via == ViaA && r.Started > returnedAt)), "answers through A again", TimeSpan.FromSeconds(30));
            var tookBack = load.Clock.Elapsed;
            // The switch happened before A's first answer: a request sent after that answer is on A for sure.
            handback = load.Results.Where(r => r.Ok && r.Via == ViaA && r.Started > returnedAt).Min(r => r.Ended);
            await pair.WaitAsync(() => Task.FromResult(load.Results.Any(r => r.Started > tookBack + TimeSpan.FromSeconds(1))), "1 s more traffic", TimeSpan.FromSeconds(10));
            Assert.True(await pair.Lab.HoldsAsync("a", NetworkLab.Vip));
            Assert.Equal("backup", await pair.RoleAsync("b", "VI_1"));
        }
        Assert.Equal(pinnedBackend, await VisitAsync(sticky, cookie));
        await load.StopAsync();
        await keepAlive.StopAsync();

        var idleAnswer = await AskAndReadToEndAsync(idleThenAsked);
        Assert.Contains($"X-Via: {ViaB}", idleAnswer, StringComparison.OrdinalIgnoreCase);
        await ClosesGracefullyAsync(idleThenClosed);

        var all = load.Results.ToList();
        var failedOnReturn = all.Where(r => !r.Ok && r.Started > returnedAt).ToList();
        output.WriteLine($"{all.Count} requests, {all.Count(r => !r.Ok)} failed ({failedAroundKill.Count} around the kill, {failedOnReturn.Count} on the return)");
        output.WriteLine($"{inFlightOnA.Count} request(s) in flight on A while it died (kill at {killedAt.TotalMilliseconds:F0} ms, gone at {diedAt.TotalMilliseconds:F0} ms)");
        foreach (var failure in all.Where(r => !r.Ok)) output.WriteLine($"  failed: started {failure.Started.TotalMilliseconds:F0} ms, ended {failure.Ended.TotalMilliseconds:F0} ms: {failure.Error}");
        output.WriteLine(pair.Transitions("a") + pair.Transitions("b"));
        output.WriteLine(pair.Timeline());
        Assert.True(failover < TimeSpan.FromSeconds(3), $"failover took {failover.TotalMilliseconds:F0} ms\n{pair.Diagnostics()}");
        Assert.All(failedAroundKill, r => Assert.True(r.Started <= diedAt && r.Ended >= killedAt,
            $"a request not in flight on A failed (started {r.Started.TotalMilliseconds:F0} ms, ended {r.Ended.TotalMilliseconds:F0} ms): {r.Error}"));
        Assert.True(failedAroundKill.Count <= inFlightOnA.Count, $"{failedAroundKill.Count} failed, {inFlightOnA.Count} were in flight on A");
        if (handback is not null)
        {
            var openAcross = all.Count(r => r.Started < handback.Value && r.Ended > handback.Value - TimeSpan.FromSeconds(1) && r.Via == ViaB);
            output.WriteLine($"first answer through A again at {handback.Value.TotalMilliseconds:F0} ms; {openAcross} request(s) through B ended in the second before it");
        }
        // nopreempt: nothing moves. Preemption: A takes the VIP back, and the connections B was serving at that instant
        // keep reaching B through A (vip-handback.nft: A forwards packets of connections it does not know to B, which
        // answers from the VIP it keeps on lo). Either way no request fails.
        Assert.Empty(failedOnReturn);
        var kept = keepAlive.Results.ToList();
        output.WriteLine($"keep-alive client: {kept.Count} requests ({kept.Count(r => r.Via == ViaA)} through A, {kept.Count(r => r.Via == ViaB)} through B), " +
            $"{kept.Count(r => !r.Ok)} failed, {keepAlive.Connections} connection(s)");
        foreach (var failure in kept.Where(r => !r.Ok)) output.WriteLine($"  keep-alive failed: started {failure.Started.TotalMilliseconds:F0} ms on its clock: {failure.Error}");
        Assert.All(kept, r => Assert.True(r.Ok, $"a keep-alive request failed (started {r.Started.TotalMilliseconds:F0} ms on its clock): {r.Error}"));
        if (handback is null)
        {
            // Nothing moved: its one connection, opened to B, served every request to the end.
            Assert.Equal(1, keepAlive.Connections);
            Assert.All(kept, r => Assert.Equal(ViaB, r.Via));
        }
        else
        {
            // The VIP moved back to A: B, told it is backup, ended its connection after the next response (Connection:
            // close), and the client made its second and last connection, to A. Until then the connection's packets
            // reached B through A (vip-handback.nft). A reset instead (A's kernel, without that rule) would also make a
            // second connection — .NET retries the request on it — but no response would have said close.
            var handbackOnItsClock = handback.Value - Stopwatch.GetElapsedTime(load.StartedAt, keepAlive.StartedAt);
            var closedBy = kept.Where(r => r.Closed).ToList();
            var throughAAfter = kept.Count(r => r.Via == ViaA && r.Started > handbackOnItsClock + TimeSpan.FromSeconds(0.5));
            output.WriteLine($"keep-alive: {closedBy.Count} response(s) said Connection: close ({string.Join(", ", closedBy.Select(r => $"through {r.Via} at {r.Started.TotalMilliseconds:F0} ms"))}); " +
                $"handback at {handbackOnItsClock.TotalMilliseconds:F0} ms on its clock; {throughAAfter} requests through A after it");
            Assert.Equal(ViaB, Assert.Single(closedBy).Via);
            Assert.Equal(2, keepAlive.Connections);
            Assert.All(kept.Where(r => r.Started > closedBy[0].Ended), r => Assert.Equal(ViaA, r.Via));
            Assert.True(throughAAfter >= 10, $"only {throughAAfter} keep-alive requests went through A after the handback");
        }
        Assert.Contains("VI_1 -> MASTER", pair.Transitions("a"));
        Assert.Contains("VI_1 -> FAULT", pair.Transitions("a"));
        Assert.Contains("VI_1 -> MASTER", pair.Transitions("b"));
    }

    /// <summary>One request with <c>Connection: close</c> on a raw connection; the whole answer, read until the server closes.</summary>
    private static async Task<string> AskAndReadToEndAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {NetworkLab.Vip}\r\nConnection: close\r\n\r\n"), SocketFlags.None, timeout.Token);
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0) answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
        return answer.ToString();
    }

    /// <summary>The client closes an idle connection: the server must close its side too (a read of 0 bytes), not reset it.</summary>
    private static async Task ClosesGracefullyAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        socket.Shutdown(SocketShutdown.Send);
        try
        {
            Assert.Equal(0, await socket.ReceiveAsync(new byte[64], SocketFlags.None, timeout.Token));
        }
        catch (SocketException e)
        {
            Assert.Fail($"closing an idle connection made before the handback: {e.SocketErrorCode}, not the server's own close");
        }
    }

    private static async Task<(string Cookie, string Backend)> FirstVisitAsync(HttpClient client)
    {
        using var response = await client.GetAsync(VipUrl);
        response.EnsureSuccessStatusCode();
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("BALLAST=", StringComparison.Ordinal));
        return (setCookie[..setCookie.IndexOf(';')], response.Headers.GetValues("X-Backend").Single());
    }

    private static async Task<string> VisitAsync(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, VipUrl);
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Backend").Single();
    }
}
