namespace Ballast.Ingress.Http;

/// <summary>
/// The field names one <c>Connection</c> value nominates (RFC 9110 §7.6.1: a comma-separated list of tokens with
/// optional whitespace and empty elements), without the three connection options every HTTP/1.1 stack handles
/// itself (keep-alive, close, upgrade; those name no field to remove). Allocates nothing.
/// </summary>
public ref struct ConnectionTokens(ReadOnlySpan<char> value)
{
    private readonly ReadOnlySpan<char> _value = value;
    private int _next;

    public ReadOnlySpan<char> Current { get; private set; }

    public bool MoveNext()
    {
        while (_next <= _value.Length)
        {
            var rest = _value[_next..];
            var comma = rest.IndexOf(',');
            var token = (comma < 0 ? rest : rest[..comma]).Trim(" \t");
            _next += comma < 0 ? rest.Length + 1 : comma + 1;
            if (!token.IsEmpty && !IsConnectionOption(token))
            {
                Current = token;
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the value names some field (anything beyond keep-alive, close and upgrade).</summary>
    public static bool NamesFields(ReadOnlySpan<char> value) => new ConnectionTokens(value).MoveNext();

    private static bool IsConnectionOption(ReadOnlySpan<char> token) =>
        token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) || token.Equals("close", StringComparison.OrdinalIgnoreCase) ||
        token.Equals("upgrade", StringComparison.OrdinalIgnoreCase);
}
