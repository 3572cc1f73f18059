using System.Collections.Frozen;

namespace Ballast.Ingress.Admin;

/// <summary>
/// The live status page on the admin port: plain HTML, CSS and JavaScript embedded in the binary (Admin/StatusPage/,
/// nothing fetched from elsewhere), which polls <c>/admin/status</c> every second. Read once at first use.
/// </summary>
public static class StatusPage
{
    private static readonly Lazy<FrozenDictionary<string, (string ContentType, byte[] Body)>> Assets = new(Load);

    public static Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        if (!Assets.Value.TryGetValue(context.Request.Path.Value ?? "/", out var asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Body.Length;
        // The page is one build's: a new binary may change it, so browsers revalidate instead of keeping an old copy.
        response.Headers.CacheControl = "no-cache";
        // Nothing but this origin: the page loads no script, style or image from anywhere else.
        response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        return response.Body.WriteAsync(asset.Body, 0, asset.Body.Length);
    }

    private static FrozenDictionary<string, (string, byte[])> Load()
    {
        var assembly = typeof(StatusPage).Assembly;
        (string, byte[]) Read(string name, string contentType)
        {
            using var stream = assembly.GetManifestResourceStream("Ballast.Ingress.Admin.StatusPage." + name)
                ?? throw new InvalidOperationException($"the status page's {name} is not embedded in the binary (see Ballast.Ingress.csproj)");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return (contentType, copy.ToArray());
        }
        return new Dictionary<string, (string, byte[])>(StringComparer.Ordinal)
        {
            ["/"] = Read("index.html", "text/html; charset=utf-8"),
            ["/status.js"] = Read("status.js", "text/javascript; charset=utf-8"),
            ["/status.css"] = Read("status.css", "text/css; charset=utf-8"),
        }.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
