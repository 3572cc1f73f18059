using System.Collections.Immutable;
using Ballast.Model.Resources;

namespace Ballast.Model.Snapshots;

/// <summary>
/// A validated rate limit: <see cref="Limit"/> requests per <see cref="Period"/>, at most <see cref="Burst"/> at
/// once, per key.
/// </summary>
public sealed record RateLimitSnapshot
{
    public int Limit { get; init; }
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(1);
    public int Burst { get; init; }
    public RateLimitKey Key { get; init; } = RateLimitKey.ClientIp;
    public string? HeaderName { get; init; }
    /// <summary>Normalised CIDRs (e.g. <c>10.0.0.0/8</c>).</summary>
    public ImmutableArray<string> TrustedProxies { get; init; } = [];
    public RateLimitMode Mode { get; init; } = RateLimitMode.Local;
}

/// <summary>Normalised CIDRs (e.g. <c>10.0.0.0/8</c>, <c>2001:db8::/32</c>). Deny wins; a non-empty allow list admits only its members.</summary>
public sealed record AccessControlSnapshot
{
    public ImmutableArray<string> Allow { get; init; } = [];
    public ImmutableArray<string> Deny { get; init; } = [];
}
