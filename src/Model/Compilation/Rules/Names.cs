using System.Net;
using System.Text.RegularExpressions;

namespace Ballast.Model.Compilation.Rules;

/// <summary>Host names, HTTP tokens (methods, header names, cookie names) and header values.</summary>
internal static partial class Names
{
    /// <summary>A DNS name of labels, or <c>*.</c> followed by one; returns the lower-case form or null.</summary>
    public static string? NormalizeHost(string host, bool allowWildcard)
    {
        var h = host.ToLowerInvariant();
        var body = allowWildcard && h.StartsWith("*.", StringComparison.Ordinal) ? h[2..] : h;
        if (body.Length is 0 or > 253) return null;
        return body.Split('.').All(l => DnsLabel().IsMatch(l)) ? h : null;
    }

    public static bool IsToken(string s) => s.Length > 0 && s.All(IsTokenChar);

    /// <summary>tchar of RFC 9110: what methods, header and cookie names are made of.</summary>
    public static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);

    /// <summary>A header value must not smuggle a line break (response splitting) or other control characters.</summary>
    public static bool IsHeaderValue(string s) => s.All(c => c == '\t' || (c >= ' ' && c != '\x7f'));

    public static bool IsIp(string s) => IPAddress.TryParse(s, out _);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
