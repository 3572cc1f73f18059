using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Ballast.Ingress.Sources;
using Ballast.KubeEmulator;
using Ballast.Model.Snapshots;
using Ballast.Operator;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Benchmarks.Operator;

/// <summary>
/// Snapshot delivery, end to end: a canary weight changed through the real KubernetesClient on the API
/// emulator → the operator's watch → compile → publish → N real long-poll <see cref="SnapshotClient"/>s (the
/// ingress's own delivery client, each with its own HTTP connection, persisting its last good snapshot to disk
/// and reporting back) have all applied the snapshot that carries the new weight. The replicas' apply step only
/// records the time: the data plane's own swap is measured elsewhere; this is the delivery path.
/// <para>
/// A console mode rather than a BenchmarkDotNet class: one sample spans a watch, a compile and 10 long-polls
/// over real sockets (milliseconds, several threads, a distribution with a tail worth reading), which does not
/// fit BenchmarkDotNet's model of a repeatable in-process operation; its out-of-process build also exceeds its
/// timeout on a loaded machine. Here: warm-up changes, then <c>--changes</c> measured ones, each started only
/// after the previous one reached every replica; median, p90 and max reported.
/// </para>
/// Run: <c>dotnet run -c Release --project bench/Ballast.Benchmarks -- operator-delivery [--replicas 10] [--changes 50]</c>
/// </summary>
public static class SnapshotDeliveryBenchmark
{
    private sealed class ReplicaProbe
    {
        public volatile int Weight = -1;
        public long AppliedAtTicks;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var replicas = IntArg(args, "--replicas", 10);
        var changes = IntArg(args, "--changes", 50);
        const int warmup = 5;
        var dir = Directory.CreateTempSubdirectory("ballast-delivery-bench-").FullName;
        try
        {
            await using var api = await KubeApiEmulator.StartAsync();
            var kubeconfig = api.WriteKubeconfig(Path.Combine(dir, "kubeconfig"));
            await using var op = await OperatorHost.StartAsync(new OperatorOptions
            {
                Kubeconfig = kubeconfig,
                Identity = "bench-operator",
                SnapshotListen = new IPEndPoint(IPAddress.Loopback, 0),
                SnapshotToken = "bench-token",
                RetryPeriod = TimeSpan.FromMilliseconds(500),
            });
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            await CreateResourcesAsync(client);

            using var stop = new CancellationTokenSource();
            var probes = new ReplicaProbe[replicas];
            var loops = new List<Task>();
            var https = new List<HttpClient>();
            for (var i = 0; i < replicas; i++)
            {
                var probe = probes[i] = new ReplicaProbe();
                var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 })
                {
                    BaseAddress = op.SnapshotUri,
                    Timeout = Timeout.InfiniteTimeSpan,
                };
                https.Add(http);
                var replica = new SnapshotClient(http, $"bench-replica-{i}", "bench-token", Path.Combine(dir, $"replica-{i}.json"),
                    (snapshot, _) =>
                    {
                        Volatile.Write(ref probe.AppliedAtTicks, Stopwatch.GetTimestamp());
                        probe.Weight = FirstWeight(snapshot);
                        return Task.CompletedTask;
                    }, TimeProvider.System, NullLogger.Instance);
                loops.Add(replica.RunAsync(stop.Token));
            }
            await WaitAsync(() => probes.All(p => p.Weight == 90) && op.Hub.ConnectedReplicas().Count == replicas, TimeSpan.FromSeconds(60), "every replica on the first snapshot");

            var samples = new List<double>();
            for (var round = 0; round < warmup + changes; round++)
            {
                var weight = 1 + round % 80; // never 90: every round is a real change
                var started = Stopwatch.GetTimestamp();
                await client.CustomObjects.PatchNamespacedCustomObjectAsync(
                    new V1Patch($$"""[{"op":"replace","path":"/spec/routes/0/backends/0/weight","value":{{weight}}}]""", V1Patch.PatchType.JsonPatch),
                    "ballast.dev", "v1alpha1", "bench", "loadbalancerpolicies", "web");
                await WaitAsync(() => probes.All(p => p.Weight == weight), TimeSpan.FromSeconds(30), $"round {round}: every replica on weight {weight}");
                var last = probes.Max(p => Volatile.Read(ref p.AppliedAtTicks));
                if (round >= warmup) samples.Add(Stopwatch.GetElapsedTime(started, last).TotalMilliseconds);
            }
            await stop.CancelAsync();
            try { await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { /* loops end on cancellation */ }
            foreach (var http in https) http.Dispose();

            samples.Sort();
            double Pct(double p) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(p * samples.Count) - 1)];
            var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
            Console.WriteLine(FormattableString.Invariant(
                $"operator-delivery: {replicas} replicas, {changes} changes (+{warmup} warm-up): change applied → all replicas applied: median {Pct(0.5):F1} ms, p90 {Pct(0.9):F1} ms, max {samples[^1]:F1} ms; load average {load}"));
            return 0;
        }
        finally { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } }
    }

    private static int FirstWeight(Snapshot snapshot) =>
        snapshot.Listeners.SelectMany(l => l.Routes).Select(r => r.Backends.FirstOrDefault()?.Weight ?? -1).FirstOrDefault(-1);

    private static async Task CreateResourcesAsync(Kubernetes client)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bench" } });
        foreach (var (pool, address) in new[] { ("v1", "10.0.0.1:8080"), ("v2", "10.0.1.1:8080") })
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse($$$"""
                {"apiVersion":"ballast.dev/v1alpha1","kind":"BackendPool","metadata":{"name":"{{{pool}}}","namespace":"bench"},
                 "spec":{"endpoints":[{"address":"{{{address}}}"}]}}
                """)!, "ballast.dev", "v1alpha1", "bench", "backendpools");
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse("""
            {"apiVersion":"ballast.dev/v1alpha1","kind":"LoadBalancerPolicy","metadata":{"name":"web","namespace":"bench"},
             "spec":{"listeners":[{"name":"http","port":8080,"protocol":"HTTP"}],
                     "routes":[{"name":"all","match":{"pathPrefix":"/"},"backends":[{"pool":"v1","weight":90},{"pool":"v2","weight":10}]}]}}
            """)!, "ballast.dev", "v1alpha1", "bench", "loadbalancerpolicies");
    }

    private static async Task WaitAsync(Func<bool> done, TimeSpan within, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
        while (!done())
        {
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException("timed out waiting for " + what);
            await Task.Delay(1); // a polling probe of the replicas' state, not synchronisation of the work measured
        }
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        if (i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0) return v;
        throw new ArgumentException($"{name}: expected a positive integer");
    }
}
