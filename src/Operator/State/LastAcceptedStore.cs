using System.Net;
using System.Text;
using System.Text.Json;
using Ballast.Model.Resources;
using Ballast.Operator.Watching;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ballast.Operator.State;

/// <summary>
/// The fallback specs of currently rejected resources, in one ConfigMap in the operator's namespace
/// (<c>&lt;leaseName&gt;-last-accepted</c>, one key per resource), so they survive an operator restart and reach a
/// standby that never saw the accepted spec. Every replica watches that one ConfigMap (narrowed by
/// <c>fieldSelector=metadata.name</c>); only the leader writes it, and only when the set of fallbacks in use
/// changes — never for a change of a valid resource. See docs/operations.md, "What the operator stores".
/// </summary>
public sealed class LastAcceptedStore : IInformerCounts
{
    public const string NameSuffix = "-last-accepted";

    /// <summary>
    /// What the entries may add up to (keys and values, UTF-8). The API server refuses a ConfigMap over 1 MiB;
    /// the rest is headroom for metadata. Entries past it are left out (in key order) and a warning is logged.
    /// </summary>
    public int MaxBytes { get; init; } = 1_000_000;

    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly Informer<V1ConfigMap> _informer;
    private (string? Version, IReadOnlyDictionary<ResourceKey, AcceptedSpec> Entries) _parsed = (null, new Dictionary<ResourceKey, AcceptedSpec>());
    /// <summary>The leader's last write until the informer shows it: what it wrote, over which informer version.</summary>
    private sealed record Write(string? BasedOn, string Version, Dictionary<string, string> Data);
    private volatile Write? _written;
    private string _lastDropped = "";

    public LastAcceptedStore(IKubernetes client, string ns, string name, TimeProvider time, ILogger logger, TimeSpan resync)
    {
        _client = client;
        _namespace = ns;
        _name = name;
        _logger = logger;
        _informer = new Informer<V1ConfigMap>("configmaps", ListWatchSources.ConfigMap(client, ns, name), time, logger, resync);
        _informer.Changed += () =>
        {
            if (_written is { } w && Current()?.Metadata.ResourceVersion == w.Version) _written = null; // caught up
        };
    }

    public string Name => _informer.Name;
    public int Lists => _informer.Lists;
    public int WatchRestarts => _informer.WatchRestarts;
    public Task Synced => _informer.Synced;

    /// <summary>Fires when the ConfigMap changed (a standby recompiles with the leader's fallbacks).</summary>
    public event Action? Changed
    {
        add => _informer.Changed += value;
        remove => _informer.Changed -= value;
    }

    public Task RunAsync(CancellationToken ct) => _informer.RunAsync(ct);

    private V1ConfigMap? Current() => _informer.TryGet($"{_namespace}/{_name}", out var cm) ? cm : null;

    /// <summary>The stored fallbacks, parsed once per version of the ConfigMap; an unreadable entry is logged and skipped.</summary>
    public IReadOnlyDictionary<ResourceKey, AcceptedSpec> Entries
    {
        get
        {
            var current = Current();
            var cached = _parsed;
            if (current is null) return new Dictionary<ResourceKey, AcceptedSpec>();
            if (cached.Version == current.Metadata.ResourceVersion) return cached.Entries;
            var entries = new Dictionary<ResourceKey, AcceptedSpec>();
            foreach (var (key, json) in current.Data ?? new Dictionary<string, string>())
            {
                try
                {
                    var spec = AcceptedSpec.FromEntry(key, json);
                    entries[spec.Key] = spec;
                }
                catch (JsonException e)
                {
                    _logger.LogWarning("configmap {Namespace}/{Name}: entry {Key} ignored: {Error}", _namespace, _name, key, e.Message);
                }
            }
            _parsed = (current.Metadata.ResourceVersion, entries);
            return entries;
        }
    }

    /// <summary>
    /// Leader only: makes the ConfigMap hold exactly <paramref name="inUse"/> (the fallbacks of the resources
    /// rejected now), creating or replacing it when that differs from what it holds; writes nothing otherwise.
    /// </summary>
    public async Task SaveAsync(IReadOnlyDictionary<ResourceKey, AcceptedSpec> inUse, CancellationToken ct)
    {
        var data = Bounded(inUse);
        var current = Current();
        var holds = current?.Data ?? new Dictionary<string, string>();
        var version = current?.Metadata.ResourceVersion;
        // Our own write may not have come back through the watch yet: compare with what we wrote, not the older copy.
        if (_written is { } w && w.BasedOn == version) (holds, version) = (w.Data, w.Version);
        if (holds.Count == data.Count && data.All(e => holds.TryGetValue(e.Key, out var v) && v == e.Value)) return;

        var body = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = _name,
                NamespaceProperty = _namespace,
                ResourceVersion = version,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "ballast-operator" },
            },
            Data = data,
        };
        try
        {
            var written = version is null
                ? await _client.CoreV1.CreateNamespacedConfigMapAsync(body, _namespace, cancellationToken: ct)
                : await _client.CoreV1.ReplaceNamespacedConfigMapAsync(body, _name, _namespace, cancellationToken: ct);
            _written = new Write(current?.Metadata.ResourceVersion, written.Metadata.ResourceVersion, data);
            _logger.LogInformation("configmap {Namespace}/{Name}: {Count} fallback spec(s) stored", _namespace, _name, data.Count);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // Someone else wrote or deleted it: forget our write and retry once the watch shows the truth.
            _written = null;
            throw;
        }
    }

    /// <summary>The entries that fit under <see cref="MaxBytes"/>, in key order (so every leader leaves out the same ones).</summary>
    private Dictionary<string, string> Bounded(IReadOnlyDictionary<ResourceKey, AcceptedSpec> inUse)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        var dropped = new List<string>();
        long size = 0;
        foreach (var spec in inUse.Values.OrderBy(s => AcceptedSpec.EntryKey(s.Key), StringComparer.Ordinal))
        {
            var key = AcceptedSpec.EntryKey(spec.Key);
            var bytes = Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(spec.Json);
            if (size + bytes > MaxBytes)
            {
                dropped.Add(key);
                continue;
            }
            data[key] = spec.Json;
            size += bytes;
        }
        var droppedNow = string.Join(", ", dropped);
        if (droppedNow != _lastDropped && dropped.Count > 0)
            _logger.LogWarning("configmap {Namespace}/{Name}: over {Max} bytes; not stored (their fallback is lost on an operator restart): {Keys}",
                _namespace, _name, MaxBytes, droppedNow);
        _lastDropped = droppedNow;
        return data;
    }
}
