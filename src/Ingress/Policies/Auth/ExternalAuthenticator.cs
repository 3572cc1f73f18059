using Ballast.Model.Snapshots;
using Microsoft.AspNetCore.Http.Extensions;
using Prometheus;

namespace Ballast.Ingress.Policies.Auth;

/// <summary>
/// External authorization (the nginx auth_request / Envoy ext_authz shape, over plain HTTP): a GET to the auth
/// service carrying the request's headers (all, or the configured ones) plus <c>X-Forwarded-Method</c>,
/// <c>-Uri</c>, <c>-Host</c>, <c>-Proto</c> and <c>-For</c>. A 2xx admits the request and copies the chosen
/// response headers onto it (a client's own copies are always dropped first, so a backend can trust them);
/// any other answer goes to the client as it is (status, body, WWW-Authenticate, Location: a login redirect
/// works); redirects are not followed. No answer within the timeout, or a connection error: 503 (the client is
/// not known to be unauthenticated, the check failed, so not 401), or admitted when <c>failOpen</c>, counted in
/// <c>ballast_auth_fail_open_total{route}</c>.
/// </summary>
public sealed class ExternalAuthenticator : IRouteAuthenticator, IDisposable
{
    private const int MaxDenialBody = 64 * 1024;
    private static readonly byte[] UnavailableBody = "authorization service unavailable\n"u8.ToArray();
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Upgrade", "Proxy-Connection", "Trailer",
        "Content-Length", "Content-Type", "Expect",
    };
    private static readonly string[] DenialHeaders = ["WWW-Authenticate", "Location", "Set-Cookie", "Content-Type"];

    private readonly HttpMessageInvoker _http;
    private readonly Counter.Child _failOpen;

    public ExternalAuthenticator(ExternalAuthSnapshot config, Counter.Child failOpen)
    {
        Config = config;
        _failOpen = failOpen;
        _http = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = config.Timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        });
    }

    public ExternalAuthSnapshot Config { get; }
    object IRouteAuthenticator.Config => Config;
    public string Kind => "external";

    public async ValueTask<AuthOutcome> AuthenticateAsync(HttpContext context)
    {
        var request = context.Request;
        foreach (var header in Config.ResponseHeaders) request.Headers.Remove(header);
        using var check = Check(context);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(Config.Timeout);
        HttpResponseMessage answer;
        try
        {
            answer = await _http.SendAsync(check, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !context.RequestAborted.IsCancellationRequested)
        {
            if (Config.FailOpen)
            {
                _failOpen.Inc();
                return AuthOutcome.Passed;
            }
            await RoutePolicies.Write(context, StatusCodes.Status503ServiceUnavailable, UnavailableBody);
            return AuthOutcome.Unavailable;
        }
        using (answer)
        {
            if (answer.IsSuccessStatusCode)
            {
                foreach (var header in Config.ResponseHeaders)
                {
                    if (Values(answer, header) is { } values) request.Headers[header] = values;
                }
                return AuthOutcome.Passed;
            }
            await RelayDenialAsync(context, answer, timeout.Token);
            return AuthOutcome.Denied;
        }
    }

    private HttpRequestMessage Check(HttpContext context)
    {
        var request = context.Request;
        var check = new HttpRequestMessage(HttpMethod.Get, Config.Url);
        if (Config.ForwardHeaders.IsEmpty)
        {
            foreach (var (name, values) in request.Headers)
            {
                if (!NotForwarded.Contains(name)) check.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        else
        {
            foreach (var name in Config.ForwardHeaders)
            {
                if (request.Headers.TryGetValue(name, out var values)) check.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        check.Headers.TryAddWithoutValidation("X-Forwarded-Method", request.Method);
        check.Headers.TryAddWithoutValidation("X-Forwarded-Uri", request.GetEncodedPathAndQuery());
        check.Headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
        check.Headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        if (context.Connection.RemoteIpAddress is { } peer) check.Headers.TryAddWithoutValidation("X-Forwarded-For", peer.ToString());
        return check;
    }

    private static async Task RelayDenialAsync(HttpContext context, HttpResponseMessage answer, CancellationToken cancel)
    {
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        foreach (var header in DenialHeaders)
        {
            if (Values(answer, header) is { } values) response.Headers[header] = values;
        }
        // A bounded body: the auth service's page (a login hint), never an unbounded stream through the proxy.
        var body = await (await answer.Content.ReadAsStreamAsync(cancel)).ReadAtMostAsync(MaxDenialBody, cancel);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancel);
    }

    private static string[]? Values(HttpResponseMessage answer, string header) =>
        answer.Headers.TryGetValues(header, out var values) || answer.Content.Headers.TryGetValues(header, out values) ? [.. values] : null;

    public void Dispose() => _http.Dispose();
}

internal static class StreamReading
{
    /// <summary>Up to <paramref name="max"/> bytes of the stream (the rest is left unread).</summary>
    public static async Task<byte[]> ReadAtMostAsync(this Stream stream, int max, CancellationToken cancel)
    {
        var buffer = new byte[max];
        var total = 0;
        int read;
        while (total < max && (read = await stream.ReadAsync(buffer.AsMemory(total, max - total), cancel)) > 0) total += read;
        return buffer[..total];
    }
}
