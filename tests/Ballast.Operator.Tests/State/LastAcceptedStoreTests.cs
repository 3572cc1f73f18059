using System.Text.Json;
using Ballast.Model.Resources;
using Ballast.Operator.State;
using Ballast.Operator.Tests.Support;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ballast.Operator.Tests.State;

/// <summary>The ConfigMap of fallback specs against the emulator: bounded size, no rewrite of an unchanged set, trimmed entries.</summary>
[Trait("Category", "Integration")]
public sealed class LastAcceptedStoreTests : IAsyncLifetime
{
    private const string Name = "test-last-accepted";
    private EmulatedCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await EmulatedCluster.StartAsync();
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static AcceptedSpec Pool(string name, int notePadding) => AcceptedSpec.FromObject(new ResourceKey(BackendPool.KindName, "shop", name), JsonDocument.Parse($$$"""
        {"apiVersion":"ballast.dev/v1alpha1","kind":"BackendPool",
         "metadata":{"name":"{{{name}}}","namespace":"shop","uid":"uid-{{{name}}}","generation":4,"resourceVersion":"17",
                     "managedFields":[{"manager":"kubectl"}],
                     "annotations":{"note":"{{{new string('x', notePadding)}}}","kubectl.kubernetes.io/last-applied-configuration":"{}"}},
         "spec":{"endpoints":[{"address":"10.0.0.1:8080"}]},
         "status":{"observedGeneration":3}}
        """).RootElement);

    [Fact]
    public void An_entry_keeps_what_the_compiler_reads_and_drops_the_API_servers_bookkeeping()
    {
        var spec = Pool("web", notePadding: 3);
        var json = JsonDocument.Parse(spec.Json).RootElement;
        Assert.False(json.TryGetProperty("status", out _));
        var meta = json.GetProperty("metadata");
        Assert.False(meta.TryGetProperty("managedFields", out _));
        Assert.False(meta.TryGetProperty("resourceVersion", out _));
        Assert.Equal(["note"], meta.GetProperty("annotations").EnumerateObject().Select(p => p.Name));
        Assert.Equal("uid-web", spec.Uid);
        Assert.Equal(4, spec.Resource.Metadata.Generation);
        Assert.Equal("BackendPool.shop.web", AcceptedSpec.EntryKey(spec.Key));
        Assert.Equal(spec, AcceptedSpec.FromEntry("BackendPool.shop.web", spec.Json) with { Resource = spec.Resource });
        var wrongKey = Assert.Throws<JsonException>(() => AcceptedSpec.FromEntry("BackendPool.shop.other", spec.Json));
        Assert.Contains("metadata", wrongKey.Message);
    }

    [Fact]
    public async Task Entries_past_the_size_bound_are_left_out_in_key_order_and_an_unchanged_set_is_not_written_again()
    {
        using var stop = new CancellationTokenSource();
        var store = new LastAcceptedStore(_cluster.Client, "default", Name, TimeProvider.System, NullLogger.Instance, TimeSpan.FromMinutes(5)) { MaxBytes = 3000 };
        var run = store.RunAsync(stop.Token);
        await store.Synced.WaitAsync(TimeSpan.FromSeconds(10));
        var specs = new[] { Pool("c", 1000), Pool("a", 1000), Pool("b", 1000) }.ToDictionary(s => s.Key);

        await store.SaveAsync(specs, default);
        var written = await _cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(Name, "default");
        Assert.Equal(["BackendPool.shop.a", "BackendPool.shop.b"], written.Data.Keys.Order(StringComparer.Ordinal));

        await store.SaveAsync(specs, default); // maybe before the watch brought our own write back: still no write
        await Eventually.True(() => store.Entries.Count == 2, "the store reads back its own write");
        await store.SaveAsync(specs, default);
        Assert.Equal(written.Metadata.ResourceVersion, (await _cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(Name, "default")).Metadata.ResourceVersion);
        Assert.Equal(specs[new ResourceKey(BackendPool.KindName, "shop", "a")].Json, store.Entries[new ResourceKey(BackendPool.KindName, "shop", "a")].Json);

        await store.SaveAsync(new Dictionary<ResourceKey, AcceptedSpec>(), default);
        Assert.Empty((await _cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(Name, "default")).Data ?? new Dictionary<string, string>());
        await stop.CancelAsync();
        await run;
    }
}
