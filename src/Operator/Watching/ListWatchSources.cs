using System.Runtime.CompilerServices;
using System.Text.Json;
using Ballast.Model.Resources;
using k8s;
using k8s.Models;

namespace Ballast.Operator.Watching;

/// <summary>Lists and watches of the kinds the operator reads, through KubernetesClient.</summary>
public static class ListWatchSources
{
    /// <summary>How long one watch request may stay open before the client starts a new one.</summary>
    public static int WatchTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// A custom resource (Ballast's own unless another group is named), kept as raw JSON (converted to the model types
    /// when compiling); null namespace: all.
    /// </summary>
    public sealed class Custom(IKubernetes client, string plural, string? ns = null, string group = ApiGroup.Group, string version = ApiGroup.Version) : IListWatch<JsonElement>
    {
        public async Task<(IReadOnlyList<JsonElement> Items, string ResourceVersion)> ListAsync(CancellationToken ct)
        {
            var list = (JsonElement)(ns is null
                ? await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(group, version, plural, cancellationToken: ct)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync(group, version, ns, plural, cancellationToken: ct));
            var items = list.GetProperty("items").EnumerateArray().Select(e => e.Clone()).ToList();
            return (items, list.GetProperty("metadata").GetProperty("resourceVersion").GetString() ?? "");
        }

        public async IAsyncEnumerable<(WatchEventType Type, JsonElement Object)> WatchAsync(string resourceVersion, Action<Exception> onError, [EnumeratorCancellation] CancellationToken ct)
        {
            var events = ns is null
                ? client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(
                    group, version, plural, allowWatchBookmarks: true, resourceVersion: resourceVersion,
                    timeoutSeconds: WatchTimeoutSeconds, onError: onError, cancellationToken: ct)
                : client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                    group, version, ns, plural, allowWatchBookmarks: true, resourceVersion: resourceVersion,
                    timeoutSeconds: WatchTimeoutSeconds, onError: onError, cancellationToken: ct);
            await foreach (var (type, obj) in events)
                yield return (type, ((JsonElement)obj).Clone());
        }

        public (string Key, string? ResourceVersion) Identify(JsonElement obj)
        {
            var meta = obj.GetProperty("metadata");
            var ns = meta.TryGetProperty("namespace", out var n) ? n.GetString() : "";
            var name = meta.TryGetProperty("name", out var nm) ? nm.GetString() : "";
            return ($"{ns}/{name}", meta.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : null);
        }
    }

    /// <summary>A built-in kind through its typed list call (<c>watch=true</c> on the same call streams changes).</summary>
    public sealed class Typed<T, TList>(
        Func<bool?, string?, int?, CancellationToken, Task<k8s.Autorest.HttpOperationResponse<TList>>> list) : IListWatch<T>
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T>
    {
        public async Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken ct)
        {
            using var response = await list(null, null, null, ct);
            return (response.Body.Items.ToList(), response.Body.Metadata.ResourceVersion);
        }

        public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, Action<Exception> onError, [EnumeratorCancellation] CancellationToken ct)
        {
            // KubernetesClient 21 marks this extension obsolete in favour of per-kind WatchList calls that the core
            // all-namespaces lists do not have; it is the same watcher underneath.
#pragma warning disable CS0618
            var stream = list(true, resourceVersion, WatchTimeoutSeconds, ct).WatchAsync<T, TList>(onError, ct);
#pragma warning restore CS0618
            await foreach (var item in stream) yield return item;
        }

        public (string Key, string? ResourceVersion) Identify(T obj) => ($"{obj.Metadata.NamespaceProperty}/{obj.Metadata.Name}", obj.Metadata.ResourceVersion);
    }

    /// <summary>Services in <paramref name="ns"/>, or in every namespace when null.</summary>
    public static Typed<V1Service, V1ServiceList> Services(IKubernetes c, string? ns = null) =>
        new((watch, rv, timeout, ct) => ns is null
            ? c.CoreV1.ListServiceForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: watch, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct)
            : c.CoreV1.ListNamespacedServiceWithHttpMessagesAsync(ns, allowWatchBookmarks: watch, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct));

    /// <summary>EndpointSlices in <paramref name="ns"/>, or in every namespace when null.</summary>
    public static Typed<V1EndpointSlice, V1EndpointSliceList> EndpointSlices(IKubernetes c, string? ns = null) =>
        new((watch, rv, timeout, ct) => ns is null
            ? c.DiscoveryV1.ListEndpointSliceForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: watch, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct)
            : c.DiscoveryV1.ListNamespacedEndpointSliceWithHttpMessagesAsync(ns, allowWatchBookmarks: watch, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct));

    /// <summary>Every Node (their addresses, for status.addresses of NodePort and hostNetwork setups).</summary>
    public static Typed<V1Node, V1NodeList> Nodes(IKubernetes c) =>
        new((watch, rv, timeout, ct) => c.CoreV1.ListNodeWithHttpMessagesAsync(allowWatchBookmarks: watch, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct));

    /// <summary>One Service by name (<c>fieldSelector=metadata.name=NAME</c> in its namespace): the ingress Service, for status.addresses.</summary>
    public static Typed<V1Service, V1ServiceList> Service(IKubernetes c, string ns, string name) =>
        new((watch, rv, timeout, ct) => c.CoreV1.ListNamespacedServiceWithHttpMessagesAsync(ns, allowWatchBookmarks: watch, fieldSelector: $"metadata.name={name}",
            resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct));

    /// <summary>The EndpointSlices of one Service (<c>labelSelector=kubernetes.io/service-name=NAME</c> in its namespace): the ingress Service's, for its named target ports.</summary>
    public static Typed<V1EndpointSlice, V1EndpointSliceList> EndpointSlicesOf(IKubernetes c, string ns, string service) =>
        new((watch, rv, timeout, ct) => c.DiscoveryV1.ListNamespacedEndpointSliceWithHttpMessagesAsync(ns, allowWatchBookmarks: watch,
            labelSelector: $"kubernetes.io/service-name={service}", resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct));

    /// <summary>One Secret by name (<c>fieldSelector=metadata.name=NAME</c> in its namespace): the operator never lists others.</summary>
    public static Typed<V1Secret, V1SecretList> Secret(IKubernetes c, string ns, string name) =>
        new((watch, rv, timeout, ct) => c.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(ns, allowWatchBookmarks: watch, fieldSelector: $"metadata.name={name}",
            resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct));

    /// <summary>One ConfigMap by name (<c>fieldSelector=metadata.name=NAME</c> in its namespace), as RBAC's resourceNames requires.</summary>
    public static Typed<V1ConfigMap, V1ConfigMapList> ConfigMap(IKubernetes c, string ns, string name) =>
        new((watch, rv, timeout, ct) => c.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(ns, allowWatchBookmarks: watch, fieldSelector: $"metadata.name={name}",
            resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct));
}
