using System.Collections.Immutable;
using System.Net;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

/// <summary>Edge policies of listeners and routes: rate limits and IP allow/deny lists.</summary>
internal static class TrafficPolicyRules
{
    public static RateLimitSnapshot? RateLimit(ResourceReport r, FieldPath field, RateLimitSpec? spec, bool routeHasJwt)
    {
        if (spec is null) return null;
        if ((spec.RequestsPerSecond is null) == (spec.RequestsPerMinute is null))
            r.Error(field, "exactly one of requestsPerSecond or requestsPerMinute is required");
        Ranges.Check(r, field.Field("requestsPerSecond"), spec.RequestsPerSecond, 1, 1_000_000);
        Ranges.Check(r, field.Field("requestsPerMinute"), spec.RequestsPerMinute, 1, 60_000_000);
        Ranges.Check(r, field.Field("burst"), spec.Burst, 1, 10_000_000);
        if (!Enum.IsDefined(spec.Key)) r.Error(field.Field("key"), $"expected one of {string.Join(", ", Enum.GetNames<RateLimitKey>())}, got \"{spec.Key}\"");
        if (spec.Key == RateLimitKey.Header)
        {
            if (string.IsNullOrEmpty(spec.Header)) r.Error(field.Field("header"), "required when key is Header");
            else if (!Names.IsToken(spec.Header)) r.Error(field.Field("header"), $"\"{spec.Header}\" is not a valid header name");
        }
        else if (spec.Header is not null) r.Error(field.Field("header"), $"only used when key is Header (key is {spec.Key})");
        if (spec.Key == RateLimitKey.Claim)
        {
            if (string.IsNullOrWhiteSpace(spec.Claim)) r.Error(field.Field("claim"), "required when key is Claim");
            if (!routeHasJwt) r.Error(field.Field("key"), "Claim needs auth.jwt on the same route (the claim comes from its validated token)");
        }
        else if (spec.Claim is not null) r.Error(field.Field("claim"), $"only used when key is Claim (key is {spec.Key})");
        if (spec.TrustedProxies is not null && spec.Key != RateLimitKey.ClientIp)
            r.Error(field.Field("trustedProxies"), $"only used when key is ClientIp (key is {spec.Key})");
        if (!Enum.IsDefined(spec.Mode)) r.Error(field.Field("mode"), $"expected Local or Global, got \"{spec.Mode}\"");
        if (spec.Mode == RateLimitMode.Global)
        {
            if (spec.Replicas is null) r.Error(field.Field("replicas"), "required when mode is Global: the replica count, so each replica knows its local share (limit ÷ replicas) while Redis is unreachable");
            Ranges.Check(r, field.Field("replicas"), spec.Replicas, 1, 1000);
        }
        else if (spec.Replicas is not null) r.Error(field.Field("replicas"), $"only used when mode is Global (mode is {spec.Mode})");
        var perMinute = spec.RequestsPerMinute is not null;
        var limit = spec.RequestsPerSecond ?? spec.RequestsPerMinute ?? 1;
        return new RateLimitSnapshot
        {
            Limit = limit,
            Period = perMinute ? TimeSpan.FromMinutes(1) : TimeSpan.FromSeconds(1),
            Burst = spec.Burst ?? limit,
            Key = spec.Key,
            HeaderName = spec.Header,
            ClaimName = spec.Claim,
            TrustedProxies = Cidrs(r, field.Field("trustedProxies"), spec.TrustedProxies),
            Mode = spec.Mode,
            Replicas = spec.Replicas ?? 1,
        };
    }

    public static AccessControlSnapshot? AccessControl(ResourceReport r, FieldPath field, AccessControlSpec? spec)
    {
        if (spec is null) return null;
        if (spec.Allow is null && spec.Deny is null) r.Error(field, "one of allow or deny is required");
        return new AccessControlSnapshot
        {
            Allow = Cidrs(r, field.Field("allow"), spec.Allow),
            Deny = Cidrs(r, field.Field("deny"), spec.Deny),
        };
    }

    /// <summary>Each entry a CIDR (<c>10.0.0.0/8</c>) or a bare address; normalised to the CIDR form, host bits must be zero.</summary>
    public static ImmutableArray<string> Cidrs(ResourceReport r, FieldPath field, List<string>? list)
    {
        if (list is null) return [];
        var result = ImmutableArray.CreateBuilder<string>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var text = list[i] ?? "";
            if (IPAddress.TryParse(text, out var address) && !text.Contains('/'))
            {
                result.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128).ToString());
            }
            else if (IPNetwork.TryParse(text, out var network) && HostBitsZero(text, network))
            {
                result.Add(network.ToString());
            }
            else
            {
                r.Error(field.Index(i), $"\"{text}\" is not a CIDR (expected e.g. 10.0.0.0/8 or 2001:db8::/32, host bits zero)");
            }
        }
        return result.ToImmutable();
    }

    /// <summary>Some runtimes mask host bits silently; "10.1.2.3/8" is more likely a typo than meant as 10.0.0.0/8.</summary>
    private static bool HostBitsZero(string text, IPNetwork network) =>
        IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/')), out var given) && given.Equals(network.BaseAddress);
}
