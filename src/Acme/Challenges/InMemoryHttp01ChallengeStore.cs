using System.Collections.Frozen;

namespace Ballast.Acme.Challenges;

/// <summary>
/// Copy-on-write store: readers (the request path) see an immutable frozen dictionary, no locks; writers
/// (issuance, a few per certificate) take a lock and swap the reference.
/// </summary>
public sealed class InMemoryHttp01ChallengeStore : IHttp01ChallengeStore
{
    private readonly Lock _write = new();
    private FrozenDictionary<string, string> _tokens = FrozenDictionary<string, string>.Empty;

    public event Action? Changed;

    public IReadOnlyDictionary<string, string> Current => Volatile.Read(ref _tokens);

    public void Add(string token, string keyAuthorization)
    {
        if (!Http01.IsValidToken(token)) throw new ArgumentException($"'{token}' is not a valid HTTP-01 token (base64url).", nameof(token));
        ArgumentException.ThrowIfNullOrEmpty(keyAuthorization);
        lock (_write)
        {
            var next = new Dictionary<string, string>(_tokens, StringComparer.Ordinal) { [token] = keyAuthorization };
            Volatile.Write(ref _tokens, next.ToFrozenDictionary(StringComparer.Ordinal));
        }
        Changed?.Invoke();
    }

    public void Remove(string token)
    {
        lock (_write)
        {
            if (!_tokens.ContainsKey(token)) return;
            var next = new Dictionary<string, string>(_tokens, StringComparer.Ordinal);
            next.Remove(token);
            Volatile.Write(ref _tokens, next.ToFrozenDictionary(StringComparer.Ordinal));
        }
        Changed?.Invoke();
    }

    public bool TryGet(string token, out string keyAuthorization) =>
        Volatile.Read(ref _tokens).TryGetValue(token, out keyAuthorization!);
}
