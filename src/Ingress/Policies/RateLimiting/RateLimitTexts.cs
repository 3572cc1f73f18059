using System.Globalization;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Policies.RateLimiting;

/// <summary>A limit's RateLimit-Limit and RateLimit-Policy header values, rendered once per snapshot, not per 429.</summary>
public sealed class RateLimitTexts(RateLimitSnapshot config)
{
    public string Limit { get; } = config.Limit.ToString(CultureInfo.InvariantCulture);
    public string Policy { get; } = $"{config.Limit};w={(long)config.Period.TotalSeconds};burst={config.Burst}";
}
