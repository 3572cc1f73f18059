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
    /// <summary>The JWT claim for <see cref="RateLimitKey.Claim"/>.</summary>
    public string? ClaimName { get; init; }
    /// <summary>Normalised CIDRs (e.g. <c>10.0.0.0/8</c>).</summary>
    public ImmutableArray<string> TrustedProxies { get; init; } = [];
    public RateLimitMode Mode { get; init; } = RateLimitMode.Local;
    /// <summary>Global mode: replicas sharing the limit; each admits Limit ÷ Replicas while Redis is unreachable.</summary>
    public int Replicas { get; init; } = 1;
}

/// <summary>Normalised CIDRs (e.g. <c>10.0.0.0/8</c>, <c>2001:db8::/32</c>). Deny wins; a non-empty allow list admits only its members.</summary>
public sealed record AccessControlSnapshot
{
    public ImmutableArray<string> Allow { get; init; } = [];
    public ImmutableArray<string> Deny { get; init; } = [];
}

public sealed record JwtAuthSnapshot
{
    public string Issuer { get; init; } = "";
    public ImmutableArray<string> Audiences { get; init; } = [];
    public string JwksUrl { get; init; } = "";
    public ImmutableArray<string> Algorithms { get; init; } = ["RS256", "ES256"];
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan JwksRefresh { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Claim type → header name, ordered by claim.</summary>
    public ImmutableArray<KeyValuePair<string, string>> ForwardClaims { get; init; } = [];
    public bool StripCredential { get; init; }

    public bool Equals(JwtAuthSnapshot? other) =>
        other is not null && Issuer == other.Issuer && Audiences.SequenceEqual(other.Audiences) && JwksUrl == other.JwksUrl
        && Algorithms.SequenceEqual(other.Algorithms) && ClockSkew == other.ClockSkew && JwksRefresh == other.JwksRefresh
        && ForwardClaims.SequenceEqual(other.ForwardClaims) && StripCredential == other.StripCredential;

    public override int GetHashCode() => HashCode.Combine(Issuer, JwksUrl, ClockSkew);
}
