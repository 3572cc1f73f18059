using System.Net.Http.Headers;

namespace Ballast.Operator.Delivery;

/// <summary>
/// Every operator replica is ready (so a Deployment of two becomes Available), and the Service spreads ingress
/// replicas over all of them, but only the leader's snapshot is the one to run: it alone runs ACME (certificates and
/// HTTP-01 answers are in its snapshot only) and it alone writes Programmed, which needs every replica's report. So a
/// standby passes each authenticated snapshot request on to the leader (found in the Lease) and answers with the
/// leader's response: one snapshot numbering, one view of the replicas. No leader known or reachable: 503, and the
/// replica keeps serving its last snapshot and retries.
/// </summary>
public sealed class LeaderProxy(Func<bool> isLeader, Func<string?> leaderEndpoint, ILogger logger) : IDisposable
{
    // Longer than any long-poll the leader holds: the poll must end on the leader's side.
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>Requests passed on to the leader (tests).</summary>
    public int Forwarded => Volatile.Read(ref _forwarded);
    private int _forwarded;

    /// <summary>Null when this replica leads (serve the request here); otherwise the leader's answer, or 503.</summary>
    public async Task<IResult?> ForwardAsync(HttpContext ctx)
    {
        if (isLeader()) return null;
        if (leaderEndpoint() is not { } endpoint)
            return Results.Text("no leader known yet; retry\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), new Uri(new Uri(endpoint), ctx.Request.Path.Value!.TrimStart('/') + ctx.Request.QueryString.Value));
            if (ctx.Request.Headers.Authorization.FirstOrDefault() is { } authorization)
                request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
            if (HttpMethods.IsPost(ctx.Request.Method))
            {
                var body = new MemoryStream();
                await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted);
                request.Content = new ByteArrayContent(body.ToArray());
                if (ctx.Request.ContentType is { } type) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            }
            using var response = await _http.SendAsync(request, ctx.RequestAborted);
            Interlocked.Increment(ref _forwarded);
            var bytes = await response.Content.ReadAsByteArrayAsync(ctx.RequestAborted);
            ctx.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } contentType) ctx.Response.ContentType = contentType.ToString();
            if (bytes.Length > 0) await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
            return Results.Empty; // written above
        }
        catch (Exception e) when (e is HttpRequestException or UriFormatException || (e is TaskCanceledException && !ctx.RequestAborted.IsCancellationRequested))
        {
            logger.LogInformation("passing a snapshot request to the leader at {Endpoint}: {Error}", endpoint, e.Message);
            return Results.Text($"the leader at {endpoint} is not reachable; retry\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    public void Dispose() => _http.Dispose();
}
