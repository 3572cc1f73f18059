using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Ballast.KubeEmulator.Apply;
using Ballast.KubeEmulator.Validation;

namespace Ballast.KubeEmulator;

/// <summary>
/// The emulator's etcd: every object as a JSON document, one global resourceVersion counter bumped on
/// every write, and a bounded history of change events that watches replay from. All mutation happens
/// under one lock, so resourceVersions, stored state and the order events reach watchers agree.
/// </summary>
public sealed class ObjectStore
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Type, string Ns, string Name), JsonObject> _objects = [];
    private readonly LinkedList<StoredEvent> _history = new();
    private readonly List<WatchSubscription> _watches = [];
    private readonly TimeProvider _time;
    private long _resourceVersion;
    private long _compactedThrough;
    private long _nameCounter;

    public ObjectStore(TimeProvider time, int historyLimit)
    {
        _time = time;
        HistoryLimit = historyLimit;
    }

    /// <summary>How many change events are kept for watches to resume from; older resourceVersions get 410 Gone.</summary>
    public int HistoryLimit { get; set; }

    public long CurrentResourceVersion { get { lock (_gate) return _resourceVersion; } }

    /// <summary>Drops the whole event history now: every resourceVersion older than the current one becomes too old.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion;
        }
    }

    public int OpenWatches { get { lock (_gate) return _watches.Count; } }

    public JsonObject? Get(ResourceType type, string ns, string name)
    {
        lock (_gate) return _objects.TryGetValue((type.Id, ns, name), out var o) ? (JsonObject)o.DeepClone() : null;
    }

    public (List<JsonObject> Items, long ResourceVersion) List(ResourceType type, string? ns, LabelSelector selector, string? fieldName)
    {
        lock (_gate)
        {
            var items = _objects
                .Where(kv => kv.Key.Type == type.Id && (ns is null || kv.Key.Ns == ns))
                .Where(kv => selector.Matches(kv.Value) && (fieldName is null || kv.Key.Name == fieldName))
                .OrderBy(kv => kv.Key.Ns, StringComparer.Ordinal).ThenBy(kv => kv.Key.Name, StringComparer.Ordinal)
                .Select(kv => (JsonObject)kv.Value.DeepClone())
                .ToList();
            return (items, _resourceVersion);
        }
    }

    public ApiResult Create(ResourceType type, string ns, JsonObject body, WriteRequest? request = null)
    {
        request ??= WriteRequest.Default;
        lock (_gate)
        {
            var obj = (JsonObject)body.DeepClone();
            var meta = obj["metadata"] as JsonObject ?? new JsonObject();
            obj["metadata"] = meta;
            var name = meta["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(name))
            {
                var prefix = meta["generateName"]?.GetValue<string>();
                if (string.IsNullOrEmpty(prefix))
                    return ApiResult.Invalid(type, "", [FieldError.Required("metadata.name", "name or generateName is required")]);
                if (ObjectMetaRules.ValidateGenerateName(prefix) is { } badPrefix) return ApiResult.Invalid(type, "", [badPrefix]);
                name = prefix + (++_nameCounter).ToString("x5", CultureInfo.InvariantCulture);
                meta["name"] = name;
            }
            if (type.Namespaced)
            {
                var bodyNs = meta["namespace"]?.GetValue<string>();
                if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
                    return ApiResult.BadRequest($"the namespace of the provided object ({bodyNs}) does not match the namespace sent on the request ({ns})");
                if (!_objects.ContainsKey((NamespaceType.Id, "", ns)))
                    return ApiResult.NotFound(NamespaceType, ns);
                meta["namespace"] = ns;
            }
            else meta.Remove("namespace");
            var key = (type.Id, type.Namespaced ? ns : "", name);
            if (_objects.ContainsKey(key)) return ApiResult.AlreadyExists(type, name);

            obj["apiVersion"] = type.ApiVersion;
            obj["kind"] = type.Kind;
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Now();
            meta["generation"] = 1L;
            meta.Remove("deletionTimestamp");
            // The CRD status subresource: status is not taken from a create.
            if (type.HasStatusSubresource) obj.Remove("status");
            var admitted = Admit(type, obj, null, name, request);
            if (admitted.Failure is { } failure) return failure;
            // An apply brings its ownership record along; any other create is one manager's update of every field.
            if (!request.Applied)
            {
                meta.Remove("managedFields");
                ManagedFields.RecordUpdate(type, null, obj, request.Manager, statusOnly: false, Now());
            }
            if (request.DryRun) return ApiResult.Created(obj.DeepClone()) with { Warnings = admitted.Warnings };
            meta["resourceVersion"] = Bump();
            _objects[key] = obj;
            Publish("ADDED", type, key.Item2, obj);
            return ApiResult.Created(obj.DeepClone()) with { Warnings = admitted.Warnings };
        }
    }

    /// <summary>
    /// The API server's decode-and-validate step: metadata rules for every kind; for custom resources, pruning,
    /// defaults, the structural schema and the CEL rules. Unknown fields fail a strict request (400) and are
    /// dropped with a warning otherwise.
    /// </summary>
    private static (ApiResult? Failure, IReadOnlyList<string> Warnings) Admit(ResourceType type, JsonObject obj, JsonObject? old, string name, WriteRequest request)
    {
        var errors = ObjectMetaRules.Validate(type, (JsonObject)obj["metadata"]!);
        IReadOnlyList<string> warnings = [];
        if (type.Crd is { } crd)
        {
            var admission = crd.Admit(obj, old);
            if (admission.UnknownFields.Count > 0)
            {
                if (request.StrictFields)
                    return (ApiResult.BadRequest(
                        $"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: "
                        + string.Join(", ", admission.UnknownFields.Select(f => $"unknown field \"{f}\""))), []);
                warnings = [.. admission.UnknownFields.Select(f => $"unknown field \"{f}\"")];
            }
            errors.AddRange(admission.Errors);
        }
        return (errors.Count > 0 ? ApiResult.Invalid(type, name, errors) : null, warnings);
    }

    /// <summary>
    /// Server-side apply: creates the object from the configuration when it does not exist, otherwise merges it
    /// per field ownership; 409 naming the fields other managers own unless <paramref name="force"/>.
    /// </summary>
    public ApiResult Apply(ResourceType type, string ns, string name, JsonObject config, bool force, bool statusOnly, WriteRequest request)
    {
        lock (_gate)
        {
            var key = (type.Id, type.Namespaced ? ns : "", name);
            _objects.TryGetValue(key, out var live);
            if (live is null && statusOnly) return ApiResult.NotFound(type, name);
            var outcome = ServerSideApply.Apply(type, live, config, request.Manager, force, statusOnly, Now());
            if (outcome.Conflicts.Count > 0) return ApiResult.ApplyConflict(type, name, outcome.Conflicts);
            var merged = outcome.Merged!;
            merged["metadata"]!["name"] = name;
            var applied = request with { Applied = true };
            if (live is null)
            {
                if (type.Namespaced) merged["metadata"]!["namespace"] = ns;
                return Create(type, ns, merged, applied);
            }
            return Write(type, key, live, merged, statusOnly, applied);
        }
    }

    /// <summary>PUT: the whole object (main resource) or only its status (<paramref name="statusOnly"/>).</summary>
    public ApiResult Update(ResourceType type, string ns, string name, JsonObject body, bool statusOnly, WriteRequest? request = null)
    {
        lock (_gate)
        {
            var key = (type.Id, type.Namespaced ? ns : "", name);
            if (!_objects.TryGetValue(key, out var old)) return ApiResult.NotFound(type, name);
            var sentVersion = body["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(sentVersion) && sentVersion != old["metadata"]!["resourceVersion"]!.GetValue<string>())
                return ApiResult.Conflict(type, name);
            var bodyName = body["metadata"]?["name"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(bodyName) && bodyName != name)
                return ApiResult.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            return Write(type, key, old, body, statusOnly, request ?? WriteRequest.Default);
        }
    }

    /// <summary>PATCH: applies the patch to the stored object, then writes the result as an update would.</summary>
    public ApiResult Patch(ResourceType type, string ns, string name, Func<JsonObject, JsonObject> apply, bool statusOnly, WriteRequest? request = null)
    {
        lock (_gate)
        {
            var key = (type.Id, type.Namespaced ? ns : "", name);
            if (!_objects.TryGetValue(key, out var old)) return ApiResult.NotFound(type, name);
            JsonObject patched;
            try { patched = apply((JsonObject)old.DeepClone()); }
            catch (PatchException e) { return ApiResult.Failure(422, "Invalid", e.Message, type, name); }
            var sentVersion = patched["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(sentVersion) && sentVersion != old["metadata"]!["resourceVersion"]!.GetValue<string>())
                return ApiResult.Conflict(type, name);
            return Write(type, key, old, patched, statusOnly, request ?? WriteRequest.Default);
        }
    }

    public ApiResult Delete(ResourceType type, string ns, string name)
    {
        lock (_gate)
        {
            var key = (type.Id, type.Namespaced ? ns : "", name);
            if (!_objects.TryGetValue(key, out var old)) return ApiResult.NotFound(type, name);
            var finalizers = old["metadata"]?["finalizers"] as JsonArray;
            if (finalizers is { Count: > 0 })
            {
                // Graceful: mark, let the finalizers' owners clean up and remove themselves.
                if (old["metadata"]!["deletionTimestamp"] is null)
                {
                    var marked = (JsonObject)old.DeepClone();
                    marked["metadata"]!["deletionTimestamp"] = Now();
                    marked["metadata"]!["resourceVersion"] = Bump();
                    _objects[key] = marked;
                    Publish("MODIFIED", type, key.Item2, marked);
                    return ApiResult.Ok(marked.DeepClone());
                }
                return ApiResult.Ok(old.DeepClone());
            }
            return Remove(type, key, old);
        }
    }

    private ApiResult Write(ResourceType type, (string, string, string) key, JsonObject old, JsonObject body, bool statusOnly, WriteRequest request)
    {
        JsonObject next;
        if (statusOnly)
        {
            next = (JsonObject)old.DeepClone();
            next["status"] = body["status"]?.DeepClone();
            if (next["status"] is null) next.Remove("status");
        }
        else
        {
            next = (JsonObject)body.DeepClone();
            var meta = next["metadata"] as JsonObject ?? new JsonObject();
            next["metadata"] = meta;
            var oldMeta = (JsonObject)old["metadata"]!;
            next["apiVersion"] = type.ApiVersion;
            next["kind"] = type.Kind;
            meta["name"] = oldMeta["name"]!.DeepClone();
            if (type.Namespaced) meta["namespace"] = oldMeta["namespace"]!.DeepClone();
            foreach (var owned in new[] { "uid", "creationTimestamp", "generation", "deletionTimestamp" })
            {
                if (oldMeta[owned] is { } v) meta[owned] = v.DeepClone();
                else meta.Remove(owned);
            }
            if (type.HasStatusSubresource)
            {
                if (old["status"] is { } s) next["status"] = s.DeepClone();
                else next.Remove("status");
            }
            if (oldMeta["deletionTimestamp"] is not null && (meta["finalizers"] as JsonArray ?? []).Count == 0)
                return Remove(type, key, next);
        }

        next["metadata"]!["resourceVersion"] = old["metadata"]!["resourceVersion"]!.DeepClone();
        var admitted = Admit(type, next, old, key.Item3, request);
        if (admitted.Failure is { } failure) return failure;
        // Ownership is the server's record: an apply computed it already, any other write changes it by its diff.
        if (request.Applied) ManagedFields.Write(next, ManagedFields.Read(body));
        else
        {
            ManagedFields.Write(next, ManagedFields.Read(old));
            ManagedFields.RecordUpdate(type, old, next, request.Manager, statusOnly, Now());
        }
        // The API server skips a write that changes nothing: no new resourceVersion, no event.
        if (JsonNode.DeepEquals(WithoutOwnershipTimes(old), WithoutOwnershipTimes(next))) return ApiResult.Ok(old.DeepClone()) with { Warnings = admitted.Warnings };
        if (!statusOnly && !JsonNode.DeepEquals(WithoutMetaAndStatus(old), WithoutMetaAndStatus(next)))
            next["metadata"]!["generation"] = (old["metadata"]!["generation"]?.GetValue<long>() ?? 0) + 1;
        if (request.DryRun) return ApiResult.Ok(next.DeepClone()) with { Warnings = admitted.Warnings };
        next["metadata"]!["resourceVersion"] = Bump();
        _objects[key] = next;
        Publish("MODIFIED", type, key.Item2, next);
        return ApiResult.Ok(next.DeepClone()) with { Warnings = admitted.Warnings };
    }

    private ApiResult Remove(ResourceType type, (string, string, string) key, JsonObject last)
    {
        _objects.Remove(key);
        var gone = (JsonObject)last.DeepClone();
        gone["metadata"]!["resourceVersion"] = Bump();
        Publish("DELETED", type, key.Item2, gone);
        return ApiResult.Ok(gone.DeepClone());
    }

    /// <summary>An apply that changes nothing but the time stamps of its ownership record is a no-op.</summary>
    private static JsonObject WithoutOwnershipTimes(JsonObject o)
    {
        var copy = (JsonObject)o.DeepClone();
        if (copy["metadata"]?["managedFields"] is JsonArray entries)
            foreach (var e in entries.OfType<JsonObject>()) e.Remove("time");
        return copy;
    }

    private static JsonObject WithoutMetaAndStatus(JsonObject o)
    {
        var copy = (JsonObject)o.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    private string Bump() => (++_resourceVersion).ToString(CultureInfo.InvariantCulture);

    private string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private void Publish(string eventType, ResourceType type, string ns, JsonObject obj)
    {
        var ev = new StoredEvent(_resourceVersion, eventType, type.Id, ns, (JsonObject)obj.DeepClone());
        _history.AddLast(ev);
        while (_history.Count > HistoryLimit)
        {
            _compactedThrough = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }
        foreach (var w in _watches)
            if (w.Wants(ev)) w.Channel.Writer.TryWrite(new WatchMessage(eventType, ev.Object));
    }

    /// <summary>
    /// Opens a watch. Null <paramref name="fromVersion"/> (or "0"): synthetic ADDED events for the current state,
    /// then changes. A version: every retained change after it, then changes; 410 Gone when it is older than
    /// the retained history.
    /// </summary>
    public WatchSubscription? Watch(ResourceType type, string? ns, LabelSelector selector, string? fieldName, long? fromVersion, CancellationToken aborted)
    {
        lock (_gate)
        {
            var w = new WatchSubscription(type, ns, selector, fieldName, aborted);
            if (fromVersion is null or 0)
            {
                foreach (var kv in _objects.OrderBy(kv => long.Parse(kv.Value["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture)))
                {
                    var ev = new StoredEvent(0, "ADDED", kv.Key.Type, kv.Key.Ns, kv.Value);
                    if (w.Wants(ev)) w.Channel.Writer.TryWrite(new WatchMessage("ADDED", (JsonObject)kv.Value.DeepClone()));
                }
            }
            else
            {
                if (fromVersion < _compactedThrough) return null;
                foreach (var ev in _history)
                    if (ev.ResourceVersion > fromVersion && w.Wants(ev))
                        w.Channel.Writer.TryWrite(new WatchMessage(ev.Type, (JsonObject)ev.Object.DeepClone()));
            }
            _watches.Add(w);
            return w;
        }
    }

    /// <summary>Queues a BOOKMARK behind every event already queued to the watch, so its version is safe to resume from.</summary>
    public void Bookmark(WatchSubscription w)
    {
        lock (_gate)
        {
            var marker = new JsonObject
            {
                ["kind"] = w.Type.Kind,
                ["apiVersion"] = w.Type.ApiVersion,
                ["metadata"] = new JsonObject
                {
                    ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture),
                    ["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" },
                },
            };
            w.Channel.Writer.TryWrite(new WatchMessage("BOOKMARK", marker));
        }
    }

    public void EndWatch(WatchSubscription w)
    {
        lock (_gate) _watches.Remove(w);
        w.Channel.Writer.TryComplete();
    }

    /// <summary>Ends every open watch stream, as an API server restart or a proxy timeout would.</summary>
    public void DropAllWatches()
    {
        List<WatchSubscription> all;
        lock (_gate)
        {
            all = [.. _watches];
            _watches.Clear();
        }
        foreach (var w in all) w.Drop();
    }

    private static readonly ResourceType NamespaceType = ResourceType.Defaults[0];

    internal sealed record StoredEvent(long ResourceVersion, string Type, string TypeId, string Ns, JsonObject Object);

    public sealed record WatchMessage(string Type, JsonObject Object);

    public sealed class WatchSubscription(ResourceType type, string? ns, LabelSelector selector, string? fieldName, CancellationToken aborted)
    {
        private readonly CancellationTokenSource _dropped = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        public ResourceType Type { get; } = type;
        public Channel<WatchMessage> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<WatchMessage>();
        public CancellationToken Ended => _dropped.Token;
        public void Drop() => _dropped.Cancel();

        internal bool Wants(StoredEvent ev) =>
            ev.TypeId == Type.Id
            && (ns is null || ev.Ns == ns)
            && (fieldName is null || ev.Object["metadata"]?["name"]?.GetValue<string>() == fieldName)
            && selector.Matches(ev.Object);
    }
}
