using Ballast.Model.Snapshots;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Transforms;

/// <summary>
/// The header work of one route, on top of YARP's default copy: X-Forwarded-For (appended), -Proto and
/// -Host, X-Request-ID (kept or generated, sent to the backend and returned to the client), and the route's
/// rules for request and response headers, then those of the chosen backend (Gateway API's filters on one backendRef;
/// for responses the backend's come first). A request rule's <c>add</c> is not applied here: it goes on a field line
/// of its own at send time (<see cref="AddedFieldLines"/>). One instance per route (and per backend with rules of its
/// own); nothing per request beyond the header values themselves.
/// </summary>
public sealed class ForwardingTransformer : HttpTransformer
{
    private const string ForwardedFor = "X-Forwarded-For";
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedHost = "X-Forwarded-Host";

    private readonly HeaderRulesSnapshot? _request;
    private readonly HeaderRulesSnapshot? _response;
    private readonly HeaderRulesSnapshot? _backendRequest;
    private readonly HeaderRulesSnapshot? _backendResponse;
    private readonly RequestRewrite? _rewrite;
    private readonly Http.ListenerShutdown? _shutdown;
    private readonly CorsResponder? _cors;
    private readonly ErrorStatuses? _errorPages;

    public ForwardingTransformer(HeaderRulesSnapshot? request, HeaderRulesSnapshot? response, RequestRewrite? rewrite = null,
        Http.ListenerShutdown? shutdown = null, CorsResponder? cors = null, ErrorStatuses? errorPages = null,
        HeaderRulesSnapshot? backendRequest = null, HeaderRulesSnapshot? backendResponse = null)
    {
        _shutdown = shutdown;
        _rewrite = rewrite;
        _cors = cors;
        _errorPages = errorPages;
        _request = RequestPart(request);
        _response = IsEmpty(response) ? null : response;
        _backendRequest = RequestPart(backendRequest);
        _backendResponse = IsEmpty(backendResponse) ? null : backendResponse;
    }

    private static bool IsEmpty(HeaderRulesSnapshot? rules) => rules is null or { Set.IsEmpty: true, Add.IsEmpty: true, Remove.IsEmpty: true };

    /// <summary>What of a request rule runs here: remove and set (add runs at send time).</summary>
    private static HeaderRulesSnapshot? RequestPart(HeaderRulesSnapshot? rules) =>
        rules is null or { Set.IsEmpty: true, Remove.IsEmpty: true } ? null : rules;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var request = httpContext.Request;
        var headers = proxyRequest.Headers;

        var remote = httpContext.Connection.RemoteIpAddress?.ToString();
        if (remote is not null)
        {
            var prior = request.Headers[ForwardedFor];
            headers.Remove(ForwardedFor);
            headers.TryAddWithoutValidation(ForwardedFor, prior.Count == 0 ? remote : string.Join(", ", prior.ToString(), remote));
        }
        headers.Remove(ForwardedProto);
        headers.TryAddWithoutValidation(ForwardedProto, request.Scheme);
        headers.Remove(ForwardedHost);
        if (request.Host.HasValue) headers.TryAddWithoutValidation(ForwardedHost, request.Host.Value);

        var id = request.Headers[RequestIds.HeaderName];
        if (id.Count != 1 || !RequestIds.IsSane(id[0]))
        {
            // Kept on the incoming request too, so the response transform returns the same id.
            var generated = RequestIds.Next();
            request.Headers[RequestIds.HeaderName] = generated;
            headers.Remove(RequestIds.HeaderName);
            headers.TryAddWithoutValidation(RequestIds.HeaderName, generated);
        }

        if (_request is { } rules) ApplyRequestRules(rules, proxyRequest);
        if (_backendRequest is { } backendRules) ApplyRequestRules(backendRules, proxyRequest);
        _rewrite?.Apply(httpContext, proxyRequest, destinationPrefix);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (_errorPages is { } pages && proxyResponse is not null && pages.Replaces((int)proxyResponse.StatusCode))
        {
            // Not copied: the proxy answers with the error pool's page once the forwarder returns.
            httpContext.Features.Set(new ErrorPageFeature((int)proxyResponse.StatusCode));
            return false;
        }
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        _cors?.AddResponseHeaders(httpContext);
        // A request in flight when the replica started closing (or its address moved away): its response is the connection's last.
        if (_shutdown?.ClosesConnectionOf(httpContext) == true) Http.ListenerShutdown.CloseAfterResponse(httpContext);
        var responseHeaders = httpContext.Response.Headers;
        if (proxyResponse is not null) ConnectionFields.RemoveNominated(proxyResponse, responseHeaders);
        responseHeaders[RequestIds.HeaderName] = httpContext.Request.Headers[RequestIds.HeaderName];
        if (_backendResponse is { } backendRules) ApplyResponseRules(backendRules, responseHeaders);
        if (_response is { } rules) ApplyResponseRules(rules, responseHeaders);
        return result;
    }

    /// <summary>Kestrel writes each value of a response header on a line of its own, so <c>add</c> is a separate value.</summary>
    private static void ApplyResponseRules(HeaderRulesSnapshot rules, IHeaderDictionary headers)
    {
        foreach (var name in rules.Remove) headers.Remove(name);
        foreach (var (name, value) in rules.Set) headers[name] = value;
        foreach (var (name, value) in rules.Add) headers.Append(name, value);
    }

    /// <summary>Remove, then set; the rule's adds follow at send time (<see cref="AddedFieldLines"/>).</summary>
    internal static void ApplyRequestRules(HeaderRulesSnapshot rules, HttpRequestMessage proxyRequest)
    {
        foreach (var name in rules.Remove) Remove(proxyRequest, name);
        foreach (var (name, value) in rules.Set)
        {
            Remove(proxyRequest, name);
            Add(proxyRequest, name, value);
        }
    }

    private static void Remove(HttpRequestMessage request, string name)
    {
        request.Headers.Remove(name);
        request.Content?.Headers.Remove(name);
    }

    private static void Add(HttpRequestMessage request, string name, string value)
    {
        // Content headers (Content-Type …) live on the content; HttpRequestHeaders refuses them.
        if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content?.Headers.TryAddWithoutValidation(name, value);
    }

}
