namespace Ballast.Ingress.Listeners;

/// <summary>
/// The framing checks Kestrel leaves to us, and the removal of the fields a client nominates in Connection
/// (<see cref="NominatedFields"/>), run once per request before routing (the rest — Content-Length
/// syntax, obs-fold, whitespace before the colon, CR/LF/NUL, Host against an absolute-form target, sizes and
/// header timeouts — Kestrel refuses itself; see docs/strict-http.md). Costs a few known-field reads; nothing
/// is allocated unless the request is refused or nominates fields.
/// </summary>
public static class RequestFraming
{
    public readonly record struct Violation(int Status, string Reason);

    /// <summary>Null when the request may be forwarded.</summary>
    public static Violation? Check(HttpRequest request)
    {
        var headers = request.Headers;
        if (HttpProtocol.IsHttp2(request.Protocol) || HttpProtocol.IsHttp3(request.Protocol))
        {
            // RFC 9113 §8.2.2: a request carrying a connection-specific field is malformed. Kestrel refuses
            // Connection and TE other than "trailers" itself; these four it lets through (and YARP would re-frame
            // a transfer-encoding).
            if (headers.TransferEncoding.Count != 0 || headers.KeepAlive.Count != 0 || headers.Upgrade.Count != 0 ||
                headers.ContainsKey("Proxy-Connection"))
            {
                return new Violation(StatusCodes.Status400BadRequest, "connection-specific header field in an HTTP/2 request\n");
            }

            return null;
        }

        if (CheckTransferEncoding(headers) is { } framing) return framing;

        // Fields the client nominated in Connection (RFC 9110 §7.6.1), removed after the framing checks read theirs.
        if (headers.Connection.Count != 0 && request.HttpContext.Features.Get<NominatedFields>()?.Take() is { } nominated &&
            !NominatedFields.Remove(headers, nominated))
        {
            return new Violation(StatusCodes.Status400BadRequest, "Connection names a field the request cannot lose\n");
        }

        return null;
    }

    private static Violation? CheckTransferEncoding(IHeaderDictionary headers)
    {
        var transferEncoding = headers.TransferEncoding;
        if (transferEncoding.Count == 0)
        {
            return null;
        }

        // Kestrel accepts Content-Length beside Transfer-Encoding, renaming it X-Content-Length; RFC 9112 §6.3
        // lets a server refuse such a message, the classic request-smuggling shape, and a proxy should.
        if (headers.ContainsKey("X-Content-Length"))
        {
            return new Violation(StatusCodes.Status400BadRequest, "both Content-Length and Transfer-Encoding\n");
        }

        // Only "chunked" is decoded; Kestrel would forward "gzip, chunked" as plain chunked, dropping the coding.
        if (transferEncoding.Count != 1 || !string.Equals(transferEncoding[0]?.Trim(), "chunked", StringComparison.OrdinalIgnoreCase))
        {
            return new Violation(StatusCodes.Status501NotImplemented, "unsupported transfer coding\n");
        }

        return null;
    }

    /// <summary>Answers the violation; an HTTP/1.1 connection is closed after it (its framing cannot be trusted).</summary>
    public static Task RefuseAsync(HttpContext context, Violation violation)
    {
        if (!HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol))
        {
            context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionLifetimeNotificationFeature>()?.RequestClose();
        }

        var body = System.Text.Encoding.ASCII.GetBytes(violation.Reason);
        context.Response.StatusCode = violation.Status;
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, 0, body.Length);
    }
}
