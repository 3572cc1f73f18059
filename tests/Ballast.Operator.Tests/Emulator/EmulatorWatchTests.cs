using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Ballast.Operator.Tests.Support;
using k8s;

namespace Ballast.Operator.Tests.Emulator;

/// <summary>Watch semantics of the emulator as KubernetesClient's watcher sees them.</summary>
[Trait("Category", "Integration")]
public sealed class EmulatorWatchTests : IAsyncLifetime
{
    private const string G = "ballast.dev", V = "v1alpha1", P = "backendpools";
    private EmulatedCluster _cluster = null!;
    private Kubernetes K => _cluster.Client;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public async Task InitializeAsync()
    {
        _cluster = await EmulatedCluster.StartAsync(historyLimit: 5);
        _cluster.Api.BookmarkInterval = TimeSpan.FromMilliseconds(100);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private Task Create(string name) => K.CustomObjects.CreateNamespacedCustomObjectAsync(
        new JsonObject
        {
            ["apiVersion"] = "ballast.dev/v1alpha1",
            ["kind"] = "BackendPool",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["endpoints"] = new JsonArray(new JsonObject { ["address"] = "10.0.0.1:80" }) }
        },
        G, V, "default", P);

    private sealed record Seen(WatchEventType Type, string Name, string ResourceVersion);

    /// <summary>Runs a watch in the background and hands its events (and the end of the stream) to a channel.</summary>
    private (Channel<Seen> Events, Task Ended, List<Exception> Errors) Watch(string? resourceVersion, CancellationToken ct)
    {
        var events = Channel.CreateUnbounded<Seen>();
        var errors = new List<Exception>();
        var ended = Task.Run(async () =>
        {
            var stream = K.CustomObjects.WatchListNamespacedCustomObjectAsync(
                G, V, "default", P, allowWatchBookmarks: true, resourceVersion: resourceVersion,
                onError: e => { lock (errors) errors.Add(e); }, cancellationToken: ct);
            await foreach (var (type, obj) in stream)
            {
                var meta = ((JsonElement)obj).GetProperty("metadata");
                var name = meta.TryGetProperty("name", out var n) ? n.GetString()! : "";
                await events.Writer.WriteAsync(new Seen(type, name, meta.GetProperty("resourceVersion").GetString()!), ct);
            }
            events.Writer.TryComplete();
        }, ct);
        return (events, ended, errors);
    }

    private static async Task<Seen> Next(Channel<Seen> events, Func<Seen, bool> wanted)
    {
        using var cts = new CancellationTokenSource(Patience);
        while (true)
        {
            var e = await events.Reader.ReadAsync(cts.Token);
            if (wanted(e)) return e;
        }
    }

    [Fact]
    public async Task Watch_from_a_list_version_replays_later_changes_and_sends_bookmarks()
    {
        await Create("a");
        var listRv = _cluster.Api.Store.CurrentResourceVersion.ToString();
        await Create("b");
        using var cts = new CancellationTokenSource(Patience);
        var (events, _, _) = Watch(listRv, cts.Token);
        var added = await Next(events, e => e.Type != WatchEventType.Bookmark);
        Assert.Equal((WatchEventType.Added, "b"), (added.Type, added.Name));

        await K.CustomObjects.DeleteNamespacedCustomObjectAsync(G, V, "default", P, "a");
        var deleted = await Next(events, e => e.Type != WatchEventType.Bookmark);
        Assert.Equal((WatchEventType.Deleted, "a"), (deleted.Type, deleted.Name));

        var bookmark = await Next(events, e => e.Type == WatchEventType.Bookmark);
        Assert.Equal(_cluster.Api.Store.CurrentResourceVersion.ToString(), bookmark.ResourceVersion);
        cts.Cancel();
    }

    [Fact]
    public async Task Watch_without_a_version_starts_with_the_current_state()
    {
        await Create("a");
        await Create("b");
        using var cts = new CancellationTokenSource(Patience);
        var (events, _, _) = Watch(null, cts.Token);
        var first = await Next(events, e => e.Type != WatchEventType.Bookmark);
        var second = await Next(events, e => e.Type != WatchEventType.Bookmark);
        Assert.Equal(["a", "b"], new[] { first.Name, second.Name });
        Assert.All(new[] { first, second }, e => Assert.Equal(WatchEventType.Added, e.Type));
        cts.Cancel();
    }

    [Fact]
    public async Task Watch_from_a_version_older_than_the_history_gets_410_Gone()
    {
        await Create("a");
        var old = _cluster.Api.Store.CurrentResourceVersion.ToString();
        for (var i = 0; i < 6; i++) await Create($"p{i}"); // history keeps 5 events
        using var cts = new CancellationTokenSource(Patience);
        var (events, ended, errors) = Watch(old, cts.Token);
        await ended;
        Assert.False(events.Reader.TryRead(out _));
        var error = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, error.Status.Code);
    }

    [Fact]
    public async Task Dropping_all_watches_ends_every_open_stream()
    {
        using var cts = new CancellationTokenSource(Patience);
        var (events, ended, _) = Watch(_cluster.Api.Store.CurrentResourceVersion.ToString(), cts.Token);
        await Next(events, e => e.Type == WatchEventType.Bookmark); // the stream is open
        Assert.Equal(1, _cluster.Api.Store.OpenWatches);
        _cluster.Api.DropAllWatches();
        await ended.WaitAsync(cts.Token);
        Assert.Equal(0, _cluster.Api.Store.OpenWatches);
    }
}
