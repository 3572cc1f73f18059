using Ballast.Ingress.Http;

namespace Ballast.Ingress.Transforms;

/// <summary>
/// RFC 9110 §7.6.1: a proxy removes every field named in <c>Connection</c> before forwarding. YARP drops the
/// fixed hop-by-hop set (Connection, Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade) but not the
/// fields a sender nominates; this removes those a backend nominates from its response (a client's are removed
/// by Listeners/NominatedFields, which must catch them before Kestrel rewrites the request's Connection). Runs
/// only when the backend sent a Connection field; the tokens the hop-by-hop set already covers allocate nothing.
/// </summary>
public static class ConnectionFields
{
    /// <summary>Removes the fields the backend's <c>Connection</c> names from the response to the client.</summary>
    public static void RemoveNominated(HttpResponseMessage proxyResponse, IHeaderDictionary clientHeaders)
    {
        if (!proxyResponse.Headers.NonValidated.TryGetValues("Connection", out var values)) return;
        foreach (var value in values)
        {
            for (var tokens = new ConnectionTokens(value); tokens.MoveNext();)
            {
                clientHeaders.Remove(tokens.Current.ToString());
            }
        }
    }
}
