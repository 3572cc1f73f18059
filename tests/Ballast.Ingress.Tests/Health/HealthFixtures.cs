using System.Collections.Concurrent;
using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Health;
using Ballast.Ingress.Runtime;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tests.Health;

/// <summary>Endpoints, transition recorders and condition polling for the health tests.</summary>
internal static class HealthFixtures
{
    public static EndpointState Endpoint(string host = "10.0.0.1", int port = 8080, bool backup = false, bool draining = false, int weight = 1) =>
        new(new EndpointSnapshot { Host = host, Port = port, Backup = backup, Draining = draining, Weight = weight });

    public static ImmutableArray<EndpointState> Endpoints(int count, bool backup = false, int firstOctet = 1) =>
        [.. Enumerable.Range(0, count).Select(i => Endpoint($"10.0.{(backup ? 1 : 0)}.{firstOctet + i}", backup: backup))];

    /// <summary>Waits (real time, bounded) for a condition that a real socket or a timer continuation will make true.</summary>
    public static Task WaitFor(Func<bool> condition, string what) => Eventually.True(condition, what);
}

/// <summary>Records every health transition with its cause.</summary>
internal sealed class TransitionLog
{
    public ConcurrentQueue<(EndpointState Endpoint, HealthChange Change, string Cause)> Entries { get; } = new();

    public HealthChangedHandler Handler => (e, change, cause) => Entries.Enqueue((e, change, cause));

    public int Count(HealthChange change) => Entries.Count(t => t.Change == change);
}
