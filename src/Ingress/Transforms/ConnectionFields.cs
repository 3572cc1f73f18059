namespace Ballast.Ingress.Transforms;

/// <summary>
/// RFC 9110 §7.6.1: a proxy removes every field named in <c>Connection</c> before forwarding. YARP drops the
/// fixed hop-by-hop set (Connection, Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade) but not the
/// fields a sender nominates; this removes those a backend nominates from its response. (For requests Kestrel
/// 10 rewrites <c>Connection</c> to the tokens it knows before the proxy sees it, so a client's nominated
/// names are lost there: see docs/strict-http.md.) Runs only when the backend sent a Connection field; the
/// tokens the hop-by-hop set already covers allocate nothing.
/// </summary>
public static class ConnectionFields
{
    /// <summary>Removes the fields the backend's <c>Connection</c> names from the response to the client.</summary>
    public static void RemoveNominated(HttpResponseMessage proxyResponse, IHeaderDictionary clientHeaders)
    {
        if (!proxyResponse.Headers.NonValidated.TryGetValues("Connection", out var values)) return;
        foreach (var value in values)
        {
            for (var tokens = new Tokens(value); tokens.MoveNext();)
            {
                clientHeaders.Remove(tokens.Current.ToString());
            }
        }
    }

    /// <summary>The field names in one Connection value, except those removed anyway (no allocation).</summary>
    private ref struct Tokens(string? value)
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
                if (!token.IsEmpty && !AlwaysRemoved(token))
                {
                    Current = token;
                    return true;
                }
            }

            return false;
        }

        private static bool AlwaysRemoved(ReadOnlySpan<char> token) =>
            token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase) || token.Equals("close", StringComparison.OrdinalIgnoreCase) ||
            token.Equals("upgrade", StringComparison.OrdinalIgnoreCase);
    }
}
