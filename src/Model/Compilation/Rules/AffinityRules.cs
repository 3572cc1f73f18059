using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

internal static class AffinityRules
{
    private static readonly SessionAffinitySnapshot Defaults = new();

    public static SessionAffinitySnapshot? Compile(ResourceReport r, FieldPath field, SessionAffinitySpec? spec)
    {
        if (spec is null || spec.Type == AffinityType.None) return null;
        if (spec.CookieName is { } cookie && !Names.IsToken(cookie))
            r.Error(field.Field("cookieName"), $"\"{cookie}\" is not a valid cookie name (letters, digits and !#$%&'*+-.^_`|~)");
        if (spec.Type == AffinityType.Header && string.IsNullOrEmpty(spec.HeaderName))
            r.Error(field.Field("headerName"), "required when type is Header");
        if (spec.HeaderName is { Length: > 0 } header && !Names.IsToken(header))
            r.Error(field.Field("headerName"), $"\"{header}\" is not a valid header name");
        Ranges.Positive(r, field.Field("ttl"), spec.Ttl);
        if (spec.Path is { } path && !path.StartsWith('/')) r.Error(field.Field("path"), $"must start with \"/\", got \"{path}\"");
        if (spec.Domain is { } domain && Names.NormalizeHost(domain.TrimStart('.'), allowWildcard: false) is null)
            r.Error(field.Field("domain"), $"\"{domain}\" is not a valid domain");
        return new SessionAffinitySnapshot
        {
            Type = spec.Type,
            CookieName = spec.CookieName ?? Defaults.CookieName,
            HeaderName = spec.HeaderName,
            Ttl = spec.Ttl?.Value ?? Defaults.Ttl,
            Secure = spec.Secure ?? Defaults.Secure,
            HttpOnly = spec.HttpOnly ?? Defaults.HttpOnly,
            SameSite = spec.SameSite ?? Defaults.SameSite,
            Path = spec.Path ?? Defaults.Path,
            Domain = spec.Domain?.ToLowerInvariant(),
        };
    }
}
