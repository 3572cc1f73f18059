namespace Ballast.Model.Snapshots;

/// <summary>A route's request rewrites, validated: a host, and at most one path rewrite.</summary>
public sealed record RewriteSnapshot
{
    /// <summary>Host header for the backend; null keeps the client's.</summary>
    public string? Host { get; init; }
    /// <summary>Replaces the whole path (the query stays).</summary>
    public string? Path { get; init; }
    /// <summary>Replaces <see cref="MatchSnapshot.Path"/> (a prefix match) at the start of the path.</summary>
    public string? PathPrefix { get; init; }
    /// <summary>NonBacktracking regex over the path (not anchored: every match is replaced).</summary>
    public string? PathRegex { get; init; }
    public string? PathSubstitution { get; init; }
}

/// <summary>A redirect answered by the proxy itself; null parts keep the request's.</summary>
public sealed record RedirectSnapshot
{
    public string? Scheme { get; init; }
    public string? Host { get; init; }
    public int? Port { get; init; }
    public string? Path { get; init; }
    /// <summary>Replaces <see cref="MatchSnapshot.Path"/> (a prefix match) at the start of the path.</summary>
    public string? PathPrefix { get; init; }
    public int StatusCode { get; init; } = 302;
}
