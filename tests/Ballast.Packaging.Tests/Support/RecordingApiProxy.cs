using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ballast.Packaging.Tests.Support;

/// <summary>One API request as RBAC sees it: API group, resource (with subresource), verb, namespace and name.</summary>
public sealed record ApiCall(string Group, string Resource, string Verb, string? Namespace, string? Name)
{
    public override string ToString() => $"{(Group.Length == 0 ? "core" : Group)} {Resource} {Verb}";
}

/// <summary>
/// A pass-through HTTP proxy in front of the API emulator that records every request the operator makes and
/// translates it to RBAC terms (GET+watch → watch, GET collection → list, GET one → get, POST → create,
/// PUT → update, PATCH → patch, DELETE → delete), so a test can compare the calls with the chart's ClusterRole.
/// </summary>
public sealed class RecordingApiProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
        { "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Host", "Content-Length" };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    public ConcurrentQueue<ApiCall> Calls { get; } = new();
    public Uri BaseUri { get; private set; } = null!;

    private RecordingApiProxy(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    public static async Task<RecordingApiProxy> StartAsync(Uri upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var proxy = new RecordingApiProxy(app, new HttpClient { BaseAddress = upstream, Timeout = Timeout.InfiniteTimeSpan });
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        proxy.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return proxy;
    }

    public string WriteKubeconfig(string path, string token)
    {
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: recorded
              cluster:
                server: {BaseUri.ToString().TrimEnd('/')}
            users:
            - name: recorded
              user:
                token: {token}
            contexts:
            - name: recorded
              context:
                cluster: recorded
                user: recorded
                namespace: default
            current-context: recorded
            """);
        return path;
    }

    private async Task ForwardAsync(HttpContext ctx)
    {
        var call = Classify(ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.Request.Query["watch"].ToString());
        if (call is not null) Calls.Enqueue(call);

        using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), ctx.Request.Path.Value + ctx.Request.QueryString.Value);
        if (ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
        {
            var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted);
            body.Position = 0;
            request.Content = new StreamContent(body);
        }
        foreach (var (name, values) in ctx.Request.Headers)
        {
            if (HopHeaders.Contains(name)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
        }
        try
        {
            using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ctx.RequestAborted);
            ctx.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                if (!HopHeaders.Contains(name)) ctx.Response.Headers[name] = values.ToArray();
            await using var stream = await response.Content.ReadAsStreamAsync(ctx.RequestAborted);
            // Watches stream events one by one: copy and flush as they come.
            var buffer = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(buffer, ctx.RequestAborted)) > 0)
            {
                await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, read), ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            // Client went away (watch closed) or the emulator stopped: nothing to forward.
        }
    }

    /// <summary>/api/v1/[namespaces/NS/]PLURAL[/NAME[/SUB]] or /apis/GROUP/VERSION/... to RBAC terms.</summary>
    public static ApiCall? Classify(string method, string path, string watch)
    {
        var parts = path.Trim('/').Split('/');
        int i;
        string group;
        if (parts is ["api", "v1", ..]) { group = ""; i = 2; }
        else if (parts.Length >= 3 && parts[0] == "apis") { group = parts[1]; i = 3; }
        else return null; // discovery and other non-resource URLs
        string? ns = null;
        if (parts.Length > i + 2 && parts[i] == "namespaces") { ns = parts[i + 1]; i += 2; }
        if (parts.Length <= i) return null;
        var resource = parts[i];
        var name = parts.Length > i + 1 ? parts[i + 1] : null;
        if (parts.Length > i + 2) resource += "/" + parts[i + 2];
        var verb = method switch
        {
            "GET" when watch is "true" or "1" => "watch",
            "GET" when name is null => "list",
            "GET" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" when name is null => "deletecollection",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };
        return new ApiCall(group, resource, verb, ns, name);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
