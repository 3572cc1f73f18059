// The substrate baseline for bench/run: stock YARP, routes and cluster given in code, round robin over
// three origins. `--tuned` applies the in-process runtime settings Ballast ships (the environment
// variables of the same set are the script's job), so the report can tell the substrate's cost from ours.
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Yarp.ReverseProxy.Configuration;

var options = BareYarpOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(BareYarpOptions.Usage);
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();

// The stock template's logging (appsettings.json of `dotnet new web`): Information, Microsoft.AspNetCore at
// Warning, so no per-request access log lines.
builder.Logging.ClearProviders();
builder.Logging.AddConsole();
builder.Logging.SetMinimumLevel(LogLevel.Information);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
if (options.Tuned)
{
    // With this category enabled at any level, hosting creates an Activity and a log scope per request.
    builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
}

builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(IPAddress.Loopback, options.Port, l => l.Protocols = HttpProtocols.Http1);
    if (options.H2cPort is int h2c)
    {
        // Cleartext HTTP/2 needs a listener that speaks HTTP/2 only (prior knowledge).
        kestrel.Listen(IPAddress.Loopback, h2c, l => l.Protocols = HttpProtocols.Http2);
    }
    kestrel.Limits.MaxConcurrentConnections = null;
});

var proxy = builder.Services.AddReverseProxy().LoadFromMemory(Routes(options.Routes), [Cluster(options.Origins)]);
if (options.Tuned)
{
    // Drops traceparent propagation to origins: +10% on this machine (stack-notes, "Performance facts").
    proxy.ConfigureHttpClient((_, handler) => handler.ActivityHeadersPropagator = null);
}

var app = builder.Build();
app.MapReverseProxy();
app.Run();
return 0;

// One catch-all route, plus `routes - 1` prefix routes /svcN/ to the same cluster for the route-table scenario.
static IReadOnlyList<RouteConfig> Routes(int count)
{
    var routes = new List<RouteConfig>(count)
    {
        new() { RouteId = "all", ClusterId = "origins", Match = new RouteMatch { Path = "/{**catch-all}" }, Order = 1 },
    };
    for (var i = 0; i < count - 1; i++)
    {
        routes.Add(new RouteConfig
        {
            RouteId = $"svc{i}",
            ClusterId = "origins",
            Match = new RouteMatch { Path = $"/svc{i}/{{**rest}}" },
        });
    }
    return routes;
}

static ClusterConfig Cluster(IReadOnlyList<string> origins) => new()
{
    ClusterId = "origins",
    LoadBalancingPolicy = "RoundRobin",
    Destinations = origins
        .Select((origin, i) => (origin, i))
        .ToDictionary(x => $"o{x.i}", x => new DestinationConfig { Address = $"http://{x.origin}" }),
};

sealed record BareYarpOptions(int Port, int? H2cPort, bool Tuned, int Routes, IReadOnlyList<string> Origins)
{
    public const string Usage =
        "usage: bare-yarp --port P [--h2c-port P2] [--tuned] [--routes N] ORIGIN ORIGIN ORIGIN   (ORIGIN = host:port)";

    public static BareYarpOptions? Parse(string[] args)
    {
        int? port = null, h2cPort = null;
        var tuned = false;
        var routes = 1;
        var origins = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], out var p):
                    port = p; i++; break;
                case "--h2c-port" when i + 1 < args.Length && int.TryParse(args[i + 1], out var p2):
                    h2cPort = p2; i++; break;
                case "--routes" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n >= 1:
                    routes = n; i++; break;
                case "--tuned":
                    tuned = true; break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        Console.Error.WriteLine($"bare-yarp: unknown or incomplete option '{args[i]}'");
                        return null;
                    }
                    origins.Add(args[i]);
                    break;
            }
        }
        if (port is null || origins.Count != 3)
        {
            Console.Error.WriteLine("bare-yarp: --port and exactly three origins are required");
            return null;
        }
        return new BareYarpOptions(port.Value, h2cPort, tuned, routes, origins);
    }
}
