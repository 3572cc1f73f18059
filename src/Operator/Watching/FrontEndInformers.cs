using System.Net;
using System.Text.Json;
using Ballast.Model.Inputs;
using k8s;
using k8s.Autorest;

namespace Ballast.Operator.Watching;

/// <summary>
/// One informer per front-end kind (Gateway API …) that the API server serves, in the first of the kind's versions it
/// serves. A kind whose CRD is not installed is not watched (the operator reads discovery once, at start: install
/// the CRDs, then restart the operator).
/// </summary>
public sealed class FrontEndInformers
{
    public sealed record Watched(InputKind Kind, string Version, ICache<JsonElement> Informer);

    public IReadOnlyList<Watched> Kinds { get; }

    private FrontEndInformers(IReadOnlyList<Watched> kinds) => Kinds = kinds;

    public static readonly FrontEndInformers None = new([]);

    /// <param name="namespaces">The namespaces to watch (<c>--watch-namespaces</c>); empty: all. Cluster-scoped kinds are watched whole.</param>
    public static async Task<FrontEndInformers> DiscoverAsync(IKubernetes client, IReadOnlyList<string> namespaces, TimeProvider time, ILogger logger, TimeSpan resync, CancellationToken ct)
    {
        var served = new Dictionary<(string, string), HashSet<string>>();
        var watched = new List<Watched>();
        foreach (var kind in InputKinds.FrontEndKinds)
        {
            foreach (var version in kind.Versions)
            {
                if (!served.TryGetValue((kind.Group, version), out var plurals))
                    served[(kind.Group, version)] = plurals = await ResourcesAsync(client, kind.Group, version, ct);
                if (!plurals.Contains(kind.Plural)) continue;
                // Served but not granted (the chart's gatewayApi.enabled=false): a watch would never sync and hold up every compile.
                var scope = kind.ClusterScoped ? [] : namespaces;
                if (!await MayListAsync(client, kind, version, scope is [var first, ..] ? first : null, ct))
                {
                    logger.LogWarning("{Kind} {ApiVersion} is served but this operator may not list it (RBAC): not watched", kind.Kind, kind.ApiVersion(version));
                    break;
                }
                watched.Add(new Watched(kind, version, InformerSet<JsonElement>.For($"{kind.Plural}.{kind.Group}", scope,
                    ns => new ListWatchSources.Custom(client, kind.Plural, ns, kind.Group, version), time, logger, resync)));
                break;
            }
        }
        logger.LogInformation("watching front-end kinds: {Kinds}",
            watched.Count == 0 ? "none (no Gateway API CRDs installed)" : string.Join(", ", watched.Select(w => $"{w.Kind.Kind} {w.Kind.ApiVersion(w.Version)}")));
        return new FrontEndInformers(watched);
    }

    private static async Task<bool> MayListAsync(IKubernetes client, InputKind kind, string version, string? ns, CancellationToken ct)
    {
        try
        {
            if (ns is null) await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(kind.Group, version, kind.Plural, limit: 1, cancellationToken: ct);
            else await client.CustomObjects.ListNamespacedCustomObjectAsync(kind.Group, version, ns, kind.Plural, limit: 1, cancellationToken: ct);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            return false;
        }
    }

    /// <summary>The plurals a group/version serves; none when the API server does not know it (404).</summary>
    private static async Task<HashSet<string>> ResourcesAsync(IKubernetes client, string group, string version, CancellationToken ct)
    {
        try
        {
            var list = await client.CustomObjects.GetAPIResourcesAsync(group, version, ct);
            return [.. list.Resources.Select(r => r.Name)];
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
    }
}
