using System.Collections.Immutable;

namespace Ballast.Model.Snapshots;

/// <summary>A route's CORS, validated: what a preflight answer and an allowed origin's responses carry.</summary>
public sealed record CorsSnapshot
{
    /// <summary>Any origin (<c>*</c>): answered <c>*</c>, or the origin itself when credentials are allowed.</summary>
    public bool AnyOrigin { get; init; }
    /// <summary>Exact origins, lower case (<c>https://app.example.com</c>).</summary>
    public ImmutableArray<string> Origins { get; init; } = [];
    /// <summary>Wildcard origins as (scheme + "://", host suffix starting with "."), e.g. (<c>https://</c>, <c>.example.com</c>).</summary>
    public ImmutableArray<string> OriginSuffixes { get; init; } = [];
    public string AllowMethods { get; init; } = "GET, HEAD, POST";
    public string? AllowHeaders { get; init; }
    public string? ExposeHeaders { get; init; }
    public bool AllowCredentials { get; init; }
    public long? MaxAgeSeconds { get; init; }
}

/// <summary>Statuses whose response is replaced by a page from <see cref="PoolId"/>.</summary>
public sealed record ErrorResponsesSnapshot
{
    public ImmutableArray<int> Statuses { get; init; } = [];
    public string PoolId { get; init; } = "";
}
