namespace Ballast.Architecture.Tests;

/// <summary>
/// The declared dependency lists: which project may reference which, and inside src/Ingress which folder
/// (namespace <c>Ballast.Ingress.&lt;Folder&gt;</c>, sub-namespaces included) may use which. docs/architecture.md
/// shows the same table; change both together, and say why in a decision record (docs/design/).
/// </summary>
public static class Layers
{
    /// <summary>Project → the projects of ours it may reference.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Projects = new Dictionary<string, string[]>
    {
        ["Model"] = [],
        ["Acme"] = ["Model"],
        ["Ingress"] = ["Model", "Acme"],
        ["Operator"] = ["Model", "Acme"],
    };

    public enum Kind { Foundation, Stage, Runtime, Forwarding, Edge }

    /// <summary>
    /// src/Ingress folders, bottom to top, with what each may use. Foundation: state and helpers every stage reads.
    /// Stages: one per step of the request path; they never use an edge. Runtime composes a data plane from a
    /// snapshot out of the stages; Forwarding runs a request through it; edges face the outside world.
    /// </summary>
    public static readonly IReadOnlyList<(string Folder, Kind Kind, string[] MayUse)> Ingress =
    [
        ("Http", Kind.Foundation, []),
        ("Metrics", Kind.Foundation, []),
        ("Endpoints", Kind.Foundation, ["Metrics"]),
        ("Redis", Kind.Foundation, ["Metrics"]),
        ("Logging", Kind.Foundation, []),
        ("Reloads", Kind.Foundation, []),

        ("Routing", Kind.Stage, []),
        ("Policies", Kind.Stage, ["Metrics", "Redis"]),
        ("LoadBalancing", Kind.Stage, ["Http", "Endpoints"]),
        ("Affinity", Kind.Stage, ["Http", "Metrics", "Endpoints", "Redis", "LoadBalancing"]),
        ("Health", Kind.Stage, ["Metrics", "Endpoints"]),
        ("Transforms", Kind.Stage, ["Http", "Metrics"]),

        ("Runtime", Kind.Runtime, ["Http", "Metrics", "Endpoints", "Redis", "Routing", "Policies", "LoadBalancing", "Affinity", "Health", "Transforms"]),

        ("Listeners", Kind.Edge, ["Http"]),
        ("Tls", Kind.Edge, ["Metrics", "Endpoints"]),
        ("AccessLog", Kind.Edge, ["Http", "Metrics", "Endpoints", "Transforms", "Runtime"]),
        ("Tracing", Kind.Edge, ["Endpoints", "Runtime"]),
        ("Forwarding", Kind.Forwarding, ["Http", "Metrics", "Endpoints", "Routing", "Policies", "LoadBalancing", "Affinity", "Health", "Transforms", "Runtime", "Listeners", "Tls", "AccessLog", "Tracing"]),
        ("L4", Kind.Edge, ["Metrics", "Endpoints", "LoadBalancing", "Affinity", "Health", "Runtime"]),
        ("HighAvailability", Kind.Edge, ["Metrics"]),
        ("Admin", Kind.Edge, ["Metrics", "Endpoints", "LoadBalancing", "Affinity", "Health", "Runtime", "HighAvailability", "Reloads"]),
        ("Sources", Kind.Edge, ["Metrics", "Policies", "Tls", "Logging", "Reloads"]),
        ("Hosting", Kind.Edge, ["Http", "Metrics", "Endpoints", "Redis", "Routing", "Policies", "LoadBalancing", "Affinity", "Health", "Transforms", "Runtime", "Listeners", "Tls", "AccessLog", "Tracing", "Forwarding", "L4", "HighAvailability", "Admin", "Sources", "Logging", "Reloads"]),
    ];
}
