using System.Collections.Concurrent;
using System.Net;
using Ballast.Testing;
using Xunit.Abstractions;

namespace Ballast.Ingress.Tests.Hosting;

/// <summary>
/// A rollout of Ballast itself: two <c>ballast run</c> processes behind a client that spreads requests over the
/// replicas it sees ready (as a Service does, polling /readyz); one replica gets SIGTERM under load. The
/// replica must turn not-ready at once, keep serving while the client moves away, close its connections
/// gracefully and exit 0 — and the client must see no failed request.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReplicaRolloutTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_to_one_of_two_replicas_under_load_fails_no_request()
    {
        await using var backend = await TestBackend.StartAsync("origin");
        await using var first = await Replica.StartAsync(backend);
        await using var second = await Replica.StartAsync(backend);
        Replica[] replicas = [first, second];
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { Timeout = TimeSpan.FromSeconds(20) };
        foreach (var replica in replicas) await replica.WaitReadyAsync(client);

        // The "Service": the replicas whose /readyz answers 200, re-read every 50 ms.
        var inRotation = new bool[] { true, true };
        using var done = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                for (var i = 0; i < replicas.Length; i++) inRotation[i] = await replicas[i].IsReadyAsync(client);
                try { await Task.Delay(50, done.Token); } catch (OperationCanceledException) { } // the Service's readiness period, not a synchronisation
            }
        });

        var ok = new int[2];
        var failures = new ConcurrentQueue<string>();
        var next = 0;
        var load = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next) % 2;
                if (!Volatile.Read(ref inRotation[i])) i = 1 - i;
                try
                {
                    using var response = await client.GetAsync($"http://127.0.0.1:{replicas[i].Port}/work");
                    if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok[i]);
                    else failures.Enqueue($"replica {i}: {(int)response.StatusCode}");
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue($"replica {i}: {e.Message}");
                }
            }
        })).ToList();

        await Eventually.True(() => Volatile.Read(ref ok[0]) > 200 && Volatile.Read(ref ok[1]) > 200, "200 answers from each replica", Slow);
        var servedBeforeSigterm = Volatile.Read(ref ok[0]);
        var exitCode = await first.Process.TerminateAsync(within: TimeSpan.FromSeconds(60));
        var servedAfterExit = Volatile.Read(ref ok[1]);
        await Eventually.True(() => Volatile.Read(ref ok[1]) > servedAfterExit + 200, "200 more answers from the survivor", Slow); // it carries on alone
        done.Cancel();
        await Task.WhenAll(load);
        await watcher;

        output.WriteLine($"replica 0: {ok[0]} ok ({ok[0] - servedBeforeSigterm} after SIGTERM), replica 1: {ok[1]} ok, {failures.Count} failed");
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(20)) + "\n" + first.Process.Output);
        Assert.Equal(0, exitCode);
        Assert.Contains("Stopping: not ready", first.Process.Output);
    }

    /// <summary>Two <c>ballast run</c> processes built and started on a shared 2-core machine: generous deadlines.</summary>
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);

    /// <summary>One <c>ballast run</c> process (the test's own build of it) on a folder of YAML with one listener.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly string _folder;

        private Replica(string folder, int port, int adminPort, RunningProcess process)
        {
            _folder = folder;
            Port = port;
            AdminPort = adminPort;
            Process = process;
        }

        public int Port { get; }
        public int AdminPort { get; }
        public RunningProcess Process { get; }

        public static Task<Replica> StartAsync(TestBackend backend)
        {
            var folder = Directory.CreateTempSubdirectory("ballast-replica-").FullName;
            var port = FreePort.Next();
            var adminPort = FreePort.Next();
            File.WriteAllText(Path.Combine(folder, "config.yaml"), $$"""
                apiVersion: ballast.dev/v1alpha1
                kind: BackendPool
                metadata: { name: web }
                spec:
                  endpoints: [ { address: "127.0.0.1:{{backend.Port}}" } ]
                ---
                apiVersion: ballast.dev/v1alpha1
                kind: LoadBalancerPolicy
                metadata: { name: shop }
                spec:
                  listeners: [ { name: http, port: {{port}}, protocol: HTTP, address: 127.0.0.1 } ]
                  routes: [ { backends: [ { pool: web } ] } ]
                """);
            // A grace period long enough for the client to see /readyz fail (it polls every 50 ms) on a busy machine.
            var process = new RunningProcess(Path.Combine(AppContext.BaseDirectory, "ballast"),
                ["run", "--config", folder, "--admin-port", adminPort.ToString(), "--state-dir", Path.Combine(folder, "state"),
                 "--shutdown-grace", "2s", "--shutdown-timeout", "10s"], folder);
            return Task.FromResult(new Replica(folder, port, adminPort, process));
        }

        public async Task<bool> IsReadyAsync(HttpClient client)
        {
            try
            {
                using var response = await client.GetAsync($"http://127.0.0.1:{AdminPort}/readyz");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        public async Task WaitReadyAsync(HttpClient client)
        {
            await Eventually.True(async () =>
            {
                Assert.False(Process.HasExited, Process.Output);
                return await IsReadyAsync(client);
            }, $"replica on port {Port} ready", Slow);
        }

        public async ValueTask DisposeAsync()
        {
            await Process.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
