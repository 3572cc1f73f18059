using System.Net.Http.Headers;
using Ballast.Ingress.Runtime;
using Ballast.Ingress.Transforms;

namespace Ballast.Ingress.Forwarding;

/// <summary>
/// Custom error responses: the page for a replaced status comes from a GET <c>/</c> to the route's error pool, with
/// the headers ingress-nginx's error backends read (<c>X-Code</c>, <c>X-Format</c>, <c>X-Original-URI</c>,
/// <c>X-Request-ID</c>); the client gets that answer's status, content type and body. If the error pool cannot
/// answer, the client gets the original status with an empty body.
/// </summary>
public static class ErrorPageResponder
{
    /// <param name="pool">The route's error pool (null when it is missing from the snapshot: the status with an empty body).</param>
    public static async Task RespondAsync(HttpContext context, PoolRuntime? pool, int status)
    {
        var response = context.Response;
        if (response.HasStarted) return;
        response.Headers.Clear();
        response.StatusCode = status;
        var endpoint = pool?.Balancer.Pick(LoadBalancing.PickContext.None);
        if (endpoint is null)
        {
            response.ContentLength = 0;
            return;
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.DestinationPrefix.TrimEnd('/') + "/");
        request.Headers.TryAddWithoutValidation("X-Code", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("X-Format", context.Request.Headers.Accept.ToString() is { Length: > 0 } accept ? accept : "text/html");
        request.Headers.TryAddWithoutValidation("X-Original-URI", context.Request.Path.Value + context.Request.QueryString.Value);
        request.Headers.TryAddWithoutValidation(RequestIds.HeaderName, context.Request.Headers[RequestIds.HeaderName].ToString());
        request.Headers.Host = context.Request.Host.Value;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var page = await pool!.Invoker.SendAsync(request, timeout.Token);
            response.StatusCode = (int)page.StatusCode;
            if (page.Content.Headers.ContentType is MediaTypeHeaderValue type) response.ContentType = type.ToString();
            response.Headers[RequestIds.HeaderName] = context.Request.Headers[RequestIds.HeaderName];
            await page.Content.CopyToAsync(response.Body, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            if (!response.HasStarted) response.ContentLength = 0;
        }
    }
}
