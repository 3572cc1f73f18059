using System.Security.Cryptography;
using System.Text;

namespace Ballast.Operator.Delivery;

/// <summary>
/// Snapshot delivery to ingress replicas: plain HTTP long-poll with a shared bearer token.
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
    public static void Map(IEndpointRouteBuilder app, SnapshotHub hub, string token, TimeSpan pollWait)
    {
        var expected = Encoding.UTF8.GetBytes("Bearer " + token);

        bool Authorized(HttpContext ctx) =>
            CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(ctx.Request.Headers.Authorization.ToString()), expected);

        app.MapGet("/v1/snapshot", async (HttpContext ctx) =>
        {
            if (!Authorized(ctx)) return Results.Unauthorized();
            var query = ctx.Request.Query;
            if (!long.TryParse(query["after"].FirstOrDefault() ?? "0", out var after) || after < 0)
                return Results.BadRequest(new { error = "after: expected a non-negative integer (the version you run, 0 for none)" });
            var replica = query["replica"].FirstOrDefault();
            if (!string.IsNullOrEmpty(replica)) hub.Report(replica, after);
            var body = await hub.WaitNewerAsync(after, query["hash"].FirstOrDefault(), pollWait, ctx.RequestAborted);
            return body is null ? Results.StatusCode(StatusCodes.Status304NotModified) : Results.Bytes(body, "application/json");
        });

        app.MapPost("/v1/replicas/{id}", async (HttpContext ctx, string id) =>
        {
            if (!Authorized(ctx)) return Results.Unauthorized();
            var report = await ctx.Request.ReadFromJsonAsync<ReplicaReport>(SnapshotHub.Json, ctx.RequestAborted);
            if (report is null || report.Version < 0) return Results.BadRequest(new { error = "version: expected the applied snapshot version" });
            hub.Report(id, report.Version);
            return Results.NoContent();
        });
    }

    public sealed record ReplicaReport(long Version);
}
