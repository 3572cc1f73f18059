using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Policies.Auth;

/// <summary>
/// HTTP basic auth against bcrypt hashes (htpasswd -B). bcrypt is slow on purpose (tens of ms at cost 10), so:
/// a verification runs on the thread pool, never on a socket thread; an unknown user is checked against a
/// real hash too (same time as a wrong password: user names cannot be probed by timing); and a credential that
/// passed is remembered by its SHA-256 (at most <see cref="MaxRemembered"/>), so a client sending it on every
/// request pays bcrypt once. The memory ends with the user list: a changed password is a new instance.
/// </summary>
public sealed class BasicAuthenticator : IRouteAuthenticator
{
    internal const int MaxRemembered = 10_000;

    private readonly FrozenDictionary<string, string> _hashes;
    private readonly string _decoy;
    private readonly string _challenge;
    private readonly ConcurrentDictionary<string, string> _passed = new(StringComparer.Ordinal);

    public BasicAuthenticator(BasicAuthSnapshot config)
    {
        Config = config;
        _hashes = config.Users.ToFrozenDictionary(u => u.Name, u => u.Hash, StringComparer.Ordinal);
        _decoy = config.Users.IsEmpty ? "" : config.Users[0].Hash;
        _challenge = $"Basic realm=\"{config.Realm}\", charset=\"UTF-8\"";
    }

    public BasicAuthSnapshot Config { get; }
    object IRouteAuthenticator.Config => Config;
    public string Kind => "basic";

    public async ValueTask<AuthOutcome> AuthenticateAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (Config.ForwardUser is { } forward) headers.Remove(forward);
        var outcome = AuthOutcome.Missing;
        if (Credentials(headers.Authorization) is var (user, password))
        {
            outcome = await VerifyAsync(user, password) ? AuthOutcome.Passed : AuthOutcome.Invalid;
            if (outcome == AuthOutcome.Passed)
            {
                if (Config.ForwardUser is { } header) headers[header] = user;
                if (Config.StripCredential) headers.Remove("Authorization");
                return outcome;
            }
        }
        await RoutePolicies.Unauthorized(context, _challenge);
        return outcome;
    }

    private async ValueTask<bool> VerifyAsync(string user, string password)
    {
        var remembered = Remembered(user, password);
        if (_passed.ContainsKey(remembered)) return true;
        var known = _hashes.TryGetValue(user, out var hash);
        var target = known ? hash! : _decoy;
        var ok = await Task.Run(() => Bcrypt(password, target)) && known;
        if (ok)
        {
            if (_passed.Count >= MaxRemembered) _passed.Clear();
            _passed[remembered] = user;
        }
        return ok;
    }

    private static bool Bcrypt(string password, string hash)
    {
        try { return hash.Length > 0 && BCrypt.Net.BCrypt.Verify(password, hash); }
        catch (BCrypt.Net.SaltParseException) { return false; }
    }

    private static string Remembered(string user, string password) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(user + "\0" + password)));

    /// <summary>user and password of <c>Authorization: Basic base64(user:password)</c>, or null.</summary>
    internal static (string User, string Password)? Credentials(Microsoft.Extensions.Primitives.StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } value || !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        var encoded = value.AsSpan(6).Trim();
        if (encoded.Length > 8192) return null;
        var bytes = new byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var written)) return null;
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written); }
        catch (DecoderFallbackException) { return null; }
        var colon = text.IndexOf(':');
        return colon <= 0 ? null : (text[..colon], text[(colon + 1)..]);
    }
}
