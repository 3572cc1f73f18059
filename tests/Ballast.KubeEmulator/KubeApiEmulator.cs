using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ballast.KubeEmulator;

/// <summary>
/// An in-process stand-in for kube-apiserver on 127.0.0.1 and an OS-chosen port: the REST semantics the
/// operator relies on (discovery, CRUD, status subresource, generation, resourceVersion conflicts, merge and
/// JSON patch, finalizers, label selectors, watch with bookmarks and 410 Gone), generic over JSON documents.
/// Clients reach it through a kubeconfig (<see cref="WriteKubeconfig"/>) with a bearer token, as they would a cluster.
/// </summary>
public sealed class KubeApiEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, ResourceType> _types;

    /// <summary>The kinds this emulator serves.</summary>
    public IReadOnlyCollection<ResourceType> Types => _types.Values;
    private readonly TimeProvider _time;

    public ObjectStore Store { get; }
    /// <summary>ServiceAccount tokens the emulator issued, and the TokenReview that checks them.</summary>
    public ServiceAccountTokens Tokens { get; }
    public int Port { get; private set; }
    public Uri BaseUri => new($"{(Certificate is null ? "http" : "https")}://127.0.0.1:{Port}");

    /// <summary>The serving certificate when started with <c>tls</c> (its own CA: the kubeconfig trusts it).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; private init; }
    public string Token { get; }

    /// <summary>How often an open watch that asked for bookmarks gets one.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    private KubeApiEmulator(WebApplication app, ObjectStore store, IEnumerable<ResourceType> types, string token, TimeProvider time)
    {
        _app = app;
        Store = store;
        _types = types.ToDictionary(t => $"{t.GroupVersion}/{t.Plural}");
        Token = token;
        _time = time;
        Tokens = new ServiceAccountTokens(time);
    }

    public static async Task<KubeApiEmulator> StartAsync(
        int historyLimit = 1000,
        TimeProvider? time = null,
        IEnumerable<ResourceType>? types = null,
        string? token = null,
        bool tls = false)
    {
        Ballast.Testing.FastLane.Guard("the Kubernetes API emulator");
        time ??= TimeProvider.System;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = tls ? ServingCertificate.Create() : null;
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null) listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        var store = new ObjectStore(time, historyLimit);
        var emulator = new KubeApiEmulator(app, store, types ?? ResourceType.Defaults, token ?? Convert.ToHexString(Guid.NewGuid().ToByteArray()), time)
        {
            Certificate = certificate,
        };
        app.Run(emulator.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.Port = new Uri(address).Port;
        foreach (var ns in new[] { "default", "kube-system" })
            store.Create(emulator.Type("", "v1", "namespaces")!, "", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
        return emulator;
    }

    /// <summary>Writes a kubeconfig that points at this emulator with its bearer token; returns the path.</summary>
    public string WriteKubeconfig(string path, string defaultNamespace = "default")
    {
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: {BaseUri.ToString().TrimEnd('/')}{CertificateAuthorityLine()}
            users:
            - name: emulator
              user:
                token: {Token}
            contexts:
            - name: emulator
              context:
                cluster: emulator
                user: emulator
                namespace: {defaultNamespace}
            current-context: emulator
            """);
        return path;
    }

    private string CertificateAuthorityLine() => Certificate is null ? "" :
        "\n    certificate-authority-data: " + Convert.ToBase64String(Encoding.ASCII.GetBytes(Certificate.ExportCertificatePem()));

    /// <summary>Test hook: ends every open watch stream at once.</summary>
    public void DropAllWatches() => Store.DropAllWatches();

    public ResourceType? Type(string group, string version, string plural) =>
        _types.GetValueOrDefault($"{(group.Length == 0 ? version : group + "/" + version)}/{plural}");

    public async ValueTask DisposeAsync()
    {
        Store.DropAllWatches();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        if (ctx.Request.Headers.Authorization.ToString() != "Bearer " + Token)
        {
            await WriteAsync(ctx, ApiResult.Failure(401, "Unauthorized", "Unauthorized"));
            return;
        }
        try
        {
            await RouteAsync(ctx);
        }
        catch (JsonException e)
        {
            await WriteAsync(ctx, ApiResult.BadRequest("invalid JSON body: " + e.Message));
        }
        catch (FormatException e)
        {
            await WriteAsync(ctx, ApiResult.BadRequest(e.Message));
        }
        catch (Exception e) when (!ctx.Response.HasStarted && e is not OperationCanceledException)
        {
            await WriteAsync(ctx, ApiResult.Failure(500, "InternalError", "emulator bug: " + e));
        }
    }

    private async Task RouteAsync(HttpContext ctx)
    {
        var segments = (ctx.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0) { await WriteAsync(ctx, ApiResult.NotFound(_types.Values.First(), "/")); return; }
        if (segments is ["version"])
        {
            await WriteAsync(ctx, ApiResult.Ok(new JsonObject { ["major"] = "1", ["minor"] = "35", ["gitVersion"] = "v1.35.0-ballast-emulator", ["platform"] = "linux/amd64" }));
            return;
        }

        if (segments[0] == "openapi" && segments.Length > 1 && segments[1] == "v3")
        {
            await WriteAsync(ctx, segments.Length == 2
                ? ApiResult.Ok(OpenApi.Root(_types.Values))
                : OpenApi.GroupVersion(_types.Values, string.Join('/', segments[2..])));
            return;
        }

        string group, version;
        ArraySegment<string> rest;
        if (segments[0] == "api")
        {
            if (segments.Length == 1) { await WriteAsync(ctx, ApiResult.Ok(Discovery.CoreVersions(Port))); return; }
            group = "";
            version = segments[1];
            rest = segments.AsSegment(2);
        }
        else if (segments[0] == "apis")
        {
            if (segments.Length == 1) { await WriteAsync(ctx, ApiResult.Ok(Discovery.Groups(_types.Values))); return; }
            if (segments.Length == 2) { await WriteAsync(ctx, Discovery.Group(_types.Values, segments[1])); return; }
            group = segments[1];
            version = segments[2];
            rest = segments.AsSegment(3);
        }
        else { await WriteAsync(ctx, ApiResult.Failure(404, "NotFound", "the server could not find the requested resource")); return; }

        if (rest.Count == 0) { await WriteAsync(ctx, Discovery.Resources(_types.Values, group, version)); return; }
        if (group == "authentication.k8s.io" && version == "v1" && rest is ["tokenreviews"] && ctx.Request.Method == "POST")
        {
            await WriteAsync(ctx, Tokens.Review(await ReadObjectAsync(ctx)));
            return;
        }

        string? ns = null, plural, name = null, sub = null;
        if (rest[0] == "namespaces" && rest.Count >= 3 && rest[2] is not ("status" or "finalize"))
        {
            ns = rest[1];
            plural = rest[2];
            if (rest.Count > 3) name = rest[3];
            if (rest.Count > 4) sub = rest[4];
        }
        else
        {
            plural = rest[0];
            if (rest.Count > 1) name = rest[1];
            if (rest.Count > 2) sub = rest[2];
        }

        var type = Type(group, version, plural);
        if (type is null || (sub is not null && (sub != "status" || !type.HasStatusSubresource)))
        {
            await WriteAsync(ctx, ApiResult.Failure(404, "NotFound", "the server could not find the requested resource"));
            return;
        }
        if (type.Namespaced && name is not null && ns is null)
        {
            await WriteAsync(ctx, ApiResult.Failure(404, "NotFound", $"{plural} is namespaced: use /namespaces/NS/{plural}/{name}"));
            return;
        }
        ns ??= "";
        var statusOnly = sub == "status";
        var query = ctx.Request.Query;
        var method = ctx.Request.Method;

        if (name is null)
        {
            switch (method)
            {
                case "GET" when IsTrue(query["watch"]):
                    await WatchAsync(ctx, type, type.Namespaced && ns.Length > 0 ? ns : null);
                    return;
                case "GET":
                    {
                        var (items, rv) = Store.List(type, type.Namespaced && ns.Length > 0 ? ns : null,
                            LabelSelector.Parse(query["labelSelector"]), FieldName(query["fieldSelector"]));
                        if (Tables.Wanted(ctx.Request.Headers.Accept))
                        {
                            await WriteAsync(ctx, ApiResult.Ok(Tables.Build(type, items, rv.ToString(CultureInfo.InvariantCulture), _time.GetUtcNow())));
                            return;
                        }
                        var list = new JsonObject
                        {
                            ["kind"] = type.Kind + "List",
                            ["apiVersion"] = type.ApiVersion,
                            ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) },
                            ["items"] = new JsonArray([.. items]),
                        };
                        await WriteAsync(ctx, ApiResult.Ok(list));
                        return;
                    }
                case "POST":
                    await WriteAsync(ctx, Store.Create(type, ns, await ReadObjectAsync(ctx), Request(ctx)));
                    return;
            }
        }
        else
        {
            switch (method)
            {
                case "GET":
                    var obj = Store.Get(type, ns, name);
                    if (obj is not null && Tables.Wanted(ctx.Request.Headers.Accept))
                        await WriteAsync(ctx, ApiResult.Ok(Tables.Build(type, [obj], obj["metadata"]!["resourceVersion"]!.GetValue<string>(), _time.GetUtcNow())));
                    else await WriteAsync(ctx, obj is null ? ApiResult.NotFound(type, name) : ApiResult.Ok(obj));
                    return;
                case "PUT":
                    await WriteAsync(ctx, Store.Update(type, ns, name, await ReadObjectAsync(ctx), statusOnly, Request(ctx)));
                    return;
                case "PATCH":
                    await WriteAsync(ctx, await PatchAsync(ctx, type, ns, name, statusOnly));
                    return;
                case "DELETE" when !statusOnly:
                    await WriteAsync(ctx, Store.Delete(type, ns, name));
                    return;
            }
        }
        await WriteAsync(ctx, ApiResult.Failure(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource"));
    }

    private async Task<ApiResult> PatchAsync(HttpContext ctx, ResourceType type, string ns, string name, bool statusOnly)
    {
        var contentType = (ctx.Request.ContentType ?? "").Split(';')[0].Trim();
        if (contentType == "application/apply-patch+yaml") return await ApplyAsync(ctx, type, ns, name, statusOnly);
        var body = await JsonNode.ParseAsync(ctx.Request.Body);
        Func<JsonObject, JsonObject> apply;
        switch (contentType)
        {
            case "application/merge-patch+json":
            // Strategic merge patch differs only for lists with patch-merge keys; the operator sends merge patches.
            case "application/strategic-merge-patch+json":
                if (body is not JsonObject) return ApiResult.BadRequest("a merge patch must be a JSON object");
                apply = current => (JsonObject)Patches.MergePatch(current, body)!;
                break;
            case "application/json-patch+json":
                if (body is not JsonArray ops) return ApiResult.BadRequest("a JSON patch must be a list of operations");
                apply = current => Patches.JsonPatch(current, ops) as JsonObject ?? throw new PatchException("the patched document is not an object");
                break;
            default:
                return ApiResult.Failure(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json");
        }
        return Store.Patch(type, ns, name, apply, statusOnly, Request(ctx));
    }

    /// <summary>Server-side apply: the body is the applied configuration (YAML or JSON); fieldManager is required.</summary>
    private async Task<ApiResult> ApplyAsync(HttpContext ctx, ResourceType type, string ns, string name, bool statusOnly)
    {
        var manager = ctx.Request.Query["fieldManager"].ToString();
        if (manager.Length == 0) return ApiResult.BadRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        JsonObject config;
        try { config = Manifests.KubeYaml.Single(await reader.ReadToEndAsync()); }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or FormatException or InvalidCastException)
        {
            return ApiResult.BadRequest("error decoding YAML: " + e.Message);
        }
        if (config["apiVersion"]?.GetValue<string>() != type.ApiVersion || config["kind"]?.GetValue<string>() != type.Kind)
            return ApiResult.BadRequest($"the apply configuration must name apiVersion {type.ApiVersion} and kind {type.Kind}");
        if (config["metadata"]?["name"]?.GetValue<string>() is { Length: > 0 } bodyName && bodyName != name)
            return ApiResult.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        return Store.Apply(type, ns, name, config, IsTrue(ctx.Request.Query["force"]), statusOnly, Request(ctx));
    }

    /// <summary>The write options a request carries; the manager defaults to the client's user agent, as the API server's does.</summary>
    private static WriteRequest Request(HttpContext ctx)
    {
        var query = ctx.Request.Query;
        var manager = query["fieldManager"].ToString();
        if (manager.Length == 0) manager = ctx.Request.Headers.UserAgent.ToString().Split('/')[0].Trim();
        if (manager.Length == 0) manager = "unknown";
        return new WriteRequest(
            manager,
            StrictFields: string.Equals(query["fieldValidation"], "Strict", StringComparison.Ordinal),
            DryRun: query["dryRun"].ToString() == "All");
    }

    private async Task WatchAsync(HttpContext ctx, ResourceType type, string? ns)
    {
        var query = ctx.Request.Query;
        long? from = null;
        var rvText = query["resourceVersion"].ToString();
        if (rvText.Length > 0)
        {
            if (!long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
            {
                await WriteAsync(ctx, ApiResult.BadRequest($"invalid resourceVersion \"{rvText}\""));
                return;
            }
            from = rv;
        }
        var bookmarks = IsTrue(query["allowWatchBookmarks"]);
        using var timeout = new CancellationTokenSource();
        if (int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, timeout.Token);

        var watch = Store.Watch(type, ns, LabelSelector.Parse(query["labelSelector"]), FieldName(query["fieldSelector"]), from, aborted.Token);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.StartAsync();
        if (watch is null)
        {
            // What the API server does when the requested version was compacted away: one ERROR event, then close.
            var gone = ApiResult.StatusObject(410, "Expired", $"too old resource version: {from} ({Store.CurrentResourceVersion})");
            await WriteEventAsync(ctx, "ERROR", gone);
            return;
        }
        try
        {
            var ticker = bookmarks ? BookmarkLoopAsync(watch) : Task.CompletedTask;
            await foreach (var message in watch.Channel.Reader.ReadAllAsync(watch.Ended))
                await WriteEventAsync(ctx, message.Type, message.Object);
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        finally
        {
            Store.EndWatch(watch);
        }
    }

    private async Task BookmarkLoopAsync(ObjectStore.WatchSubscription watch)
    {
        try
        {
            while (!watch.Ended.IsCancellationRequested)
            {
                await Task.Delay(BookmarkInterval, _time, watch.Ended); // the API server's bookmark period, on the injected clock
                Store.Bookmark(watch);
            }
        }
        catch (OperationCanceledException) { }
    }

    private static async Task WriteEventAsync(HttpContext ctx, string type, JsonObject obj)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString() + "\n";
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext ctx) =>
        await JsonNode.ParseAsync(ctx.Request.Body) as JsonObject ?? throw new JsonException("the body must be a JSON object");

    private static async Task WriteAsync(HttpContext ctx, ApiResult result)
    {
        ctx.Response.StatusCode = result.Code;
        foreach (var warning in result.Warnings)
            ctx.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"")}\"");
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(result.Body.ToJsonString());
    }

    private static bool IsTrue(string? value) => value is "true" or "1" or "True";

    /// <summary>The one field selector clients use on these resources: <c>metadata.name=X</c>.</summary>
    private static string? FieldName(string? fieldSelector)
    {
        if (string.IsNullOrEmpty(fieldSelector)) return null;
        const string prefix = "metadata.name=";
        if (fieldSelector.StartsWith(prefix, StringComparison.Ordinal)) return fieldSelector[prefix.Length..].TrimStart('=');
        throw new FormatException($"field selector \"{fieldSelector}\" is not supported by the emulator (only metadata.name=)");
    }
}

internal static class SegmentExtensions
{
    public static ArraySegment<string> AsSegment(this string[] array, int start) => new(array, start, array.Length - start);
}
