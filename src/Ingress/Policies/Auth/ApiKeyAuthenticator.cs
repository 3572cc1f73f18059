using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Policies.Auth;

/// <summary>
/// API keys in a header. The snapshot holds each key's SHA-256 only; the presented key is hashed and compared
/// with every known digest by <see cref="CryptographicOperations.FixedTimeEquals"/>, without stopping at a
/// match, so the time taken says nothing about how much of a key was right nor which key matched.
/// </summary>
public sealed class ApiKeyAuthenticator : IRouteAuthenticator
{
    private const int MaxKeyBytes = 4096;
    private readonly (string Name, byte[] Digest)[] _keys;
    private readonly string _challenge;

    public ApiKeyAuthenticator(ApiKeyAuthSnapshot config)
    {
        Config = config;
        _keys = [.. config.Keys.Select(k => (k.Name, Convert.FromHexString(k.Sha256)))];
        _challenge = $"ApiKey header=\"{config.HeaderName}\"";
    }

    public ApiKeyAuthSnapshot Config { get; }
    object IRouteAuthenticator.Config => Config;
    public string Kind => "apikey";

    public async ValueTask<AuthOutcome> AuthenticateAsync(HttpContext context)
    {
        var outcome = Check(context.Request.Headers);
        if (outcome != AuthOutcome.Passed) await RoutePolicies.Unauthorized(context, _challenge);
        return outcome;
    }

    private AuthOutcome Check(IHeaderDictionary headers)
    {
        if (Config.ForwardKeyName is { } forward) headers.Remove(forward); // a client's own copy never reaches the backend
        var values = headers[Config.HeaderName];
        if (values.Count != 1 || values[0] is not { Length: > 0 } key) return AuthOutcome.Missing;
        if (Match(key) is not { } name) return AuthOutcome.Invalid;
        if (Config.ForwardKeyName is { } header) headers[header] = name;
        if (Config.StripCredential) headers.Remove(Config.HeaderName);
        return AuthOutcome.Passed;
    }

    /// <summary>The matching key's name, or null.</summary>
    private string? Match(string key)
    {
        var length = Encoding.UTF8.GetMaxByteCount(key.Length);
        if (length > MaxKeyBytes) return null;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(key, rented);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(rented.AsSpan(0, written), digest);
            string? name = null;
            foreach (var (keyName, known) in _keys)
            {
                if (CryptographicOperations.FixedTimeEquals(known, digest)) name ??= keyName;
            }
            return name;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }
}
