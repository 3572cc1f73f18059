using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Transforms;

/// <summary>
/// Wraps a route's transformer on routes that retry on 502/503/504: when such a response arrives and a retry
/// is planned (<see cref="IRetriableResponse.TrySuppress"/>), the response is suppressed (YARP then discards it and
/// sends nothing to the client), so the proxy can send the request to another endpoint. Otherwise the inner
/// transformer copies the response as usual.
/// </summary>
public sealed class RetryAwareTransformer : HttpTransformer
{
    private readonly HttpTransformer _inner;

    public RetryAwareTransformer(HttpTransformer inner) => _inner = inner;

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken) =>
        _inner.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null && (int)proxyResponse.StatusCode is 502 or 503 or 504 &&
            httpContext.Features.Get<IRetriableResponse>() is { } attempt &&
            attempt.TrySuppress((int)proxyResponse.StatusCode))
        {
            return new ValueTask<bool>(false);
        }

        return _inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        _inner.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
}
