using Ballast.Operator.Delivery.Auth;

namespace Ballast.Operator.Delivery;

/// <summary>
/// Snapshot delivery to ingress replicas: plain HTTP long-poll; every request carries the replica's bearer token
/// (its projected ServiceAccount token, checked by <see cref="IReplicaAuthenticator"/>): 401 otherwise.
/// <list type="bullet">
/// <item><c>GET /v1/snapshot?after=N&amp;hash=H&amp;replica=ID</c>: the newest snapshot as JSON once its version is above N
/// (or its content hash differs from H), else 304 after about 30 s. The poll also says which version the
/// replica runs (<c>after</c>), so a separate report is only needed right after applying.</item>
/// <item><c>POST /v1/replicas/{id}</c> with <c>{"version": N}</c>: the replica applied version N.</item>
/// </list>
/// Why long-poll and not gRPC streaming or WebSockets: it is one JSON document per change, so the simple thing
/// suffices; it passes every HTTP proxy and load balancer unchanged; it needs no code generation on either side;
/// and an operator can watch what replicas see with curl. A poll that times out costs one request per 30 s.
/// </summary>
public static class SnapshotEndpoints
{
    /// <param name="refused">Called with the reason of each refused request (the metric counts them).</param>
    /// <param name="leader">Passes authenticated requests on to the leader when this operator replica is a standby.</param>
    public static void Map(IEndpointRouteBuilder app, SnapshotHub hub, IReplicaAuthenticator authenticator, Action<string> refused,
        LeaderProxy leader, TimeSpan pollWait)
    {
        void Report(string replica, long version, string? hash) =>
            hub.Report(replica, version, string.IsNullOrEmpty(hash) ? hub.HashOf(version) : hash);

        async Task<IResult?> RefusalAsync(HttpContext ctx)
        {
            var verdict = await authenticator.AuthenticateAsync(ctx.Request.Headers.Authorization.FirstOrDefault(), ctx.RequestAborted);
            if (verdict.Ok) return null;
            refused(verdict.Failure!);
            // A failed review is the API server's trouble, not the replica's: 503 tells it to retry.
            return verdict.Failure == AuthFailure.ReviewError
                ? Results.Text(verdict.Message + "\n", statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Text(verdict.Message + "\n", statusCode: StatusCodes.Status401Unauthorized);
        }

        app.MapGet("/v1/snapshot", async (HttpContext ctx) =>
        {
            if (await RefusalAsync(ctx) is { } refusal) return refusal;
            if (await leader.ForwardAsync(ctx) is { } fromLeader) return fromLeader;
            var query = ctx.Request.Query;
            if (!long.TryParse(query["after"].FirstOrDefault() ?? "0", out var after) || after < 0)
                return Results.BadRequest(new { error = "after: expected a non-negative integer (the version you run, 0 for none)" });
            var replica = query["replica"].FirstOrDefault();
            if (!string.IsNullOrEmpty(replica)) Report(replica, after, after > 0 ? query["hash"].FirstOrDefault() : null);
            var body = await hub.WaitNewerAsync(after, query["hash"].FirstOrDefault(), pollWait, ctx.RequestAborted);
            return body is null ? Results.StatusCode(StatusCodes.Status304NotModified) : Results.Bytes(body, "application/json");
        });

        app.MapPost("/v1/replicas/{id}", async (HttpContext ctx, string id) =>
        {
            if (await RefusalAsync(ctx) is { } refusal) return refusal;
            if (await leader.ForwardAsync(ctx) is { } fromLeader) return fromLeader;
            var report = await ctx.Request.ReadFromJsonAsync<ReplicaReport>(SnapshotHub.Json, ctx.RequestAborted);
            if (report is null || report.Version < 0) return Results.BadRequest(new { error = "version: expected the applied snapshot version" });
            Report(id, report.Version, report.Hash);
            return Results.NoContent();
        });
    }

    /// <param name="Hash">The content hash of that version (optional).</param>
    public sealed record ReplicaReport(long Version, string? Hash = null);
}
