using System.Collections.Concurrent;
using System.Collections.Immutable;
using Ballast.Ingress.Endpoints;
using Ballast.Ingress.L4;
using Ballast.Ingress.LoadBalancing;
using Ballast.Ingress.Runtime;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tests.L4.Support;

/// <summary>
/// The tests' pool: a tiny round robin over endpoint states that honours PickContext.Avoid, keys on the
/// client hash when asked, and ejects an endpoint after a connect failure (what passive health does for real).
/// </summary>
internal sealed class RoundRobinSource : IL4EndpointSource
{
    private readonly ImmutableArray<EndpointState> _endpoints;
    private int _next = -1;

    public RoundRobinSource(string poolId, params int[] ports)
    {
        PoolId = poolId;
        _endpoints = [.. ports.Select(p => new EndpointState(new EndpointSnapshot { Host = "127.0.0.1", Port = p }))];
    }

    public string PoolId { get; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public ProxyProtocolVersion ProxyProtocol { get; init; }
    public bool HashOnClientAddress { get; init; }
    public ConnectionLimit Connections { get; init; } = ConnectionLimit.Unlimited();

    public ImmutableArray<EndpointState> Endpoints => _endpoints;
    public ConcurrentDictionary<EndpointState, int> Failures { get; } = new();
    public ConcurrentDictionary<EndpointState, bool> Ejected { get; } = new();

    public EndpointState? Pick(in PickContext context)
    {
        var avoid = context.Avoid;
        var live = _endpoints.Where(e => !Ejected.ContainsKey(e) && e != avoid).ToArray();
        if (live.Length == 0) live = [.. _endpoints.Where(e => !Ejected.ContainsKey(e))];
        if (live.Length == 0) return null;
        if (context.HasKey) return live[(int)(context.KeyHash % (ulong)live.Length)];
        return live[(int)((uint)Interlocked.Increment(ref _next) % (uint)live.Length)];
    }

    public void ReportConnectFailure(EndpointState endpoint)
    {
        Failures.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
        Ejected[endpoint] = true;
    }

    public void ReportConnectSuccess(EndpointState endpoint) { }
}
