namespace Ballast.Acme.Challenges;

/// <summary>The HTTP-01 resource (RFC 8555 §8.3) as the data plane must serve it.</summary>
public static class Http01
{
    public const string ChallengeType = "http-01";
    public const string PathPrefix = "/.well-known/acme-challenge/";

    /// <summary>Content type of the answer; the body is the key authorization, nothing else.</summary>
    public const string ContentType = "application/octet-stream";

    /// <summary>Recognises a challenge request path and extracts its token (no allocation when it does not match).</summary>
    public static bool TryGetToken(string? path, out string token)
    {
        token = "";
        if (path is null || !path.StartsWith(PathPrefix, StringComparison.Ordinal)) return false;
        var candidate = path.Substring(PathPrefix.Length);
        if (!IsValidToken(candidate)) return false;
        token = candidate;
        return true;
    }

    /// <summary>Tokens are base64url (RFC 8555 §8.3): anything else is not ours to answer.</summary>
    public static bool IsValidToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 256) return false;
        foreach (var c in token)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_')) return false;
        }
        return true;
    }
}
