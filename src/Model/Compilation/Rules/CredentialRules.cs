using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

/// <summary>
/// API keys, basic auth and external auth of a route. Keys and users come from a Secret (operator) or a file
/// (standalone), both resolved by the edges into <see cref="CompilerInput.Secrets"/>, exactly as TLS certificates:
/// the Compiler reads nothing itself. API keys enter the snapshot as SHA-256 digests only.
/// </summary>
internal static partial class CredentialRules
{
    public static ApiKeyAuthSnapshot? ApiKey(ResourceReport r, FieldPath field, ApiKeyAuthSpec? spec, CompilerInput input)
    {
        if (spec is null) return null;
        var before = r.Count;
        var header = spec.Header ?? "X-Api-Key";
        if (!Names.IsToken(header)) r.Error(field.Field("header"), $"\"{header}\" is not a valid header name");
        HeaderName(r, field.Field("forwardKeyName"), spec.ForwardKeyName);
        var keys = ImmutableArray.CreateBuilder<ApiKeyEntry>();
        if (Source(r, field, spec.SecretRef, spec.KeysFile, "keysFile", input) is ({ } source, { } secret))
        {
            if (spec.SecretRef is not null)
            {
                foreach (var (name, value) in secret.Data.OrderBy(e => e.Key, StringComparer.Ordinal))
                    AddKey(r, source, name, Encoding.UTF8.GetString(value).Trim(), keys);
            }
            else
            {
                foreach (var (line, number) in Lines(secret))
                {
                    var colon = line.IndexOf(':');
                    if (colon <= 0) r.Error(source, $"line {number}: expected name:key");
                    else AddKey(r, source, line[..colon].Trim(), line[(colon + 1)..].Trim(), keys);
                }
            }
            if (keys.Count == 0 && r.Count == before) r.Error(source, "holds no keys");
        }
        return new ApiKeyAuthSnapshot
        {
            HeaderName = header,
            Keys = keys.ToImmutable(),
            ForwardKeyName = spec.ForwardKeyName,
            StripCredential = spec.StripCredential ?? false,
        };
    }

    public static BasicAuthSnapshot? Basic(ResourceReport r, FieldPath field, BasicAuthSpec? spec, CompilerInput input)
    {
        if (spec is null) return null;
        var before = r.Count;
        var realm = spec.Realm ?? "ballast";
        if (realm.Length == 0 || realm.Contains('"') || !Names.IsHeaderValue(realm)) r.Error(field.Field("realm"), $"\"{realm}\" cannot be quoted in WWW-Authenticate");
        HeaderName(r, field.Field("forwardUser"), spec.ForwardUser);
        var users = ImmutableArray.CreateBuilder<BasicAuthUser>();
        if (Source(r, field, spec.SecretRef, spec.UsersFile, "usersFile", input) is ({ } source, { } secret))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (line, number) in Lines(secret, "auth"))
            {
                var colon = line.IndexOf(':');
                var hash = colon < 0 ? "" : line[(colon + 1)..].Trim();
                if (colon <= 0) r.Error(source, $"line {number}: expected user:hash (htpasswd format)");
                else if (!Bcrypt().IsMatch(hash)) r.Error(source, $"line {number}: user \"{line[..colon]}\": only bcrypt hashes are accepted ($2y$…, made by htpasswd -nB)");
                else if (!seen.Add(line[..colon])) r.Error(source, $"line {number}: user \"{line[..colon]}\" appears twice");
                else users.Add(new BasicAuthUser(line[..colon], hash));
            }
            if (users.Count == 0 && r.Count == before) r.Error(source, "holds no users");
        }
        return new BasicAuthSnapshot
        {
            Realm = realm,
            Users = users.ToImmutable(),
            ForwardUser = spec.ForwardUser,
            StripCredential = spec.StripCredential ?? false,
        };
    }

    public static ExternalAuthSnapshot? External(ResourceReport r, FieldPath field, ExternalAuthSpec? spec)
    {
        if (spec is null) return null;
        if (string.IsNullOrEmpty(spec.Url)) r.Error(field.Field("url"), "required");
        else if (!Uri.TryCreate(spec.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            r.Error(field.Field("url"), $"expected an absolute http or https URL, got \"{spec.Url}\"");
        if (spec.Timeout is { } timeout && (timeout.Value <= TimeSpan.Zero || timeout.Value > TimeSpan.FromSeconds(30)))
            r.Error(field.Field("timeout"), $"must be more than 0s and at most 30s, got {timeout}");
        return new ExternalAuthSnapshot
        {
            Url = spec.Url,
            Timeout = spec.Timeout?.Value ?? TimeSpan.FromSeconds(2),
            ForwardHeaders = HeaderNames(r, field.Field("forwardHeaders"), spec.ForwardHeaders),
            ResponseHeaders = HeaderNames(r, field.Field("responseHeaders"), spec.ResponseHeaders),
            FailOpen = spec.FailOpen ?? false,
        };
    }

    /// <summary>The one source of credentials (secretRef or a file) and its resolved content; null content when missing.</summary>
    private static (FieldPath Field, ResolvedSecret? Secret)? Source(ResourceReport r, FieldPath field, string? secretRef, string? file, string fileField, CompilerInput input)
    {
        if ((secretRef is null) == (file is null))
        {
            r.Error(field, $"exactly one of secretRef or {fileField} is required");
            return null;
        }
        if (secretRef is not null)
        {
            var f = field.Field("secretRef");
            if (input.Secrets.TryGetValue($"{r.Key.Namespace}/{secretRef}", out var secret)) return (f, secret);
            r.UnresolvedClusterObject(input, ConditionReasons.SecretNotFound, f, $"Secret \"{secretRef}\" not found");
            return (f, null);
        }
        var ff = field.Field(fileField);
        if (input.Secrets.TryGetValue(file!, out var content)) return (ff, content);
        r.UnresolvedClusterObject(input, ConditionReasons.SecretNotFound, ff, $"file \"{file}\" could not be read");
        return (ff, null);
    }

    /// <summary>Non-empty, non-comment lines of a file, or of a Secret's named entry (else its only entry), with 1-based numbers.</summary>
    private static IEnumerable<(string Line, int Number)> Lines(ResolvedSecret secret, string? entry = null)
    {
        var bytes = entry is not null && secret.Data.TryGetValue(entry, out var named) ? named
            : secret.Data.Count == 1 ? secret.Data.Values.First() : [];
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length > 0 && line[0] != '#') yield return (line, i + 1);
        }
    }

    private static void AddKey(ResourceReport r, FieldPath source, string name, string key, ImmutableArray<ApiKeyEntry>.Builder into)
    {
        // Short keys can be guessed: the check is constant-time, but not rate-free.
        if (key.Length < 16) r.Error(source, $"key \"{name}\": at least 16 characters are required");
        else into.Add(new ApiKeyEntry(name, Digest(key)));
    }

    /// <summary>The hex SHA-256 of an API key, as the data plane computes it for a presented key.</summary>
    public static string Digest(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static void HeaderName(ResourceReport r, FieldPath field, string? header)
    {
        if (header is not null && !Names.IsToken(header)) r.Error(field, $"\"{header}\" is not a valid header name");
    }

    private static ImmutableArray<string> HeaderNames(ResourceReport r, FieldPath field, List<string>? headers)
    {
        for (var i = 0; i < (headers?.Count ?? 0); i++) HeaderName(r, field.Index(i), headers![i] ?? "");
        return [.. headers ?? []];
    }

    [GeneratedRegex(@"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")]
    private static partial Regex Bcrypt();
}
