// echo-backend --name NAME --urls http://127.0.0.1:PORT
// Answers every request with its own name and what it saw, so repeated curls through Ballast show the spread.
using System.Text.Json;

var name = args.SkipWhile(a => a != "--name").Skip(1).FirstOrDefault() ?? Environment.MachineName;
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/health", () => Results.Ok("ok"));
app.Map("/{**path}", async (HttpContext ctx) =>
{
    var seen = new
    {
        backend = name,
        method = ctx.Request.Method,
        path = ctx.Request.Path.Value + ctx.Request.QueryString.Value,
        host = ctx.Request.Host.Value,
        protocol = ctx.Request.Protocol,
        headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()),
    };
    ctx.Response.Headers["X-Backend"] = name;
    ctx.Response.ContentType = "application/json";
    await ctx.Response.WriteAsync(JsonSerializer.Serialize(seen) + "\n");
});
app.Run();
