using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// What an echo backend saw of one request: the upstream conformance suite's echo server in spirit. Header values are
/// as Kestrel parsed them, one entry per field line, so a value appended on a line of its own is told apart from one
/// joined into an existing line (<c>a,b</c> against <c>a, b</c> when joined with ",").
/// </summary>
public sealed record EchoedRequest(string Backend, string Method, string Path, string Query, string Host, Dictionary<string, string[]> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var values) ? string.Join(",", values) : null;
}

/// <summary>
/// A real Kestrel backend that answers every request with a JSON <see cref="EchoedRequest"/> and keeps them all.
/// <c>X-Echo-Set-Header: Name: value</c> (one line per header) makes it set response headers; <c>X-Echo-Delay: ms</c>
/// makes it answer that much later (for timeouts); <c>X-Echo-Status</c> sets its status.
/// </summary>
public sealed class EchoBackend : IAsyncDisposable
{
    private readonly TestBackend _backend;

    private EchoBackend(TestBackend backend) => _backend = backend;

    public string Name => _backend.Name;
    public int Port => _backend.Port;
    public ConcurrentQueue<EchoedRequest> Received { get; } = new();

    public static async Task<EchoBackend> StartAsync(string name)
    {
        EchoBackend? self = null;
        var backend = await TestBackend.StartAsync(name, async ctx =>
        {
            var request = ctx.Request;
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(ctx.RequestAborted);
            var echoed = new EchoedRequest(name, request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.Host.Value ?? "",
                request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.Select(v => v ?? "").ToArray()), body);
            self!.Received.Enqueue(echoed);
            foreach (var line in request.Headers["X-Echo-Set-Header"])
            {
                var colon = line!.IndexOf(':', StringComparison.Ordinal);
                ctx.Response.Headers.Append(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
            if (int.TryParse(request.Headers["X-Echo-Status"], out var status)) ctx.Response.StatusCode = status;
            if (int.TryParse(request.Headers["X-Echo-Delay"], out var delay)) await Task.Delay(delay, ctx.RequestAborted);
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(JsonSerializer.Serialize(echoed));
        });
        self = new EchoBackend(backend);
        return self;
    }

    public static EchoedRequest Parse(string json) => JsonSerializer.Deserialize<EchoedRequest>(json)!;

    public ValueTask DisposeAsync() => _backend.DisposeAsync();
}
