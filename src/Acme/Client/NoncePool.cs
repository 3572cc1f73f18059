using System.Collections.Concurrent;

namespace Ballast.Acme.Client;

/// <summary>
/// Anti-replay nonces (RFC 8555 §7.2): every response may carry a Replay-Nonce, which we keep for the next
/// request; only when none is left do we ask newNonce (HEAD).
/// </summary>
internal sealed class NoncePool(int capacity)
{
    public const string Header = "Replay-Nonce";
    private readonly ConcurrentQueue<string> _nonces = new();

    public bool TryTake(out string nonce) => _nonces.TryDequeue(out nonce!);

    public void Remember(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(Header, out var values)) return;
        foreach (var value in values)
        {
            if (string.IsNullOrWhiteSpace(value)) continue;
            if (_nonces.Count >= capacity) _nonces.TryDequeue(out _); // oldest first: it is the likeliest to be stale
            _nonces.Enqueue(value.Trim());
        }
    }
}
