using System.Net;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// YARP's forwarder minus the network: the request transform, a 200 response, the response transform. Everything
/// a request does then happens on the caller's thread, so its allocations can be counted exactly.
/// </summary>
/// <remarks>
/// Shared by the tracing cost tests and bench/Ballast.Benchmarks (ProxyPathBenchmarks), which compiles this file in
/// by a link in its project: the benchmarks must not reference the test project (xunit, fixtures), and the forwarder
/// is no part of the ingress itself, so src/Ingress is no home for it either.
/// </remarks>
internal sealed class TransformOnlyForwarder : IHttpForwarder
{
    /// <summary>Requests that went through both transforms.</summary>
    public int Sent { get; private set; }

    public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
        SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, CancellationToken.None);

    public async ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage();
        await transformer.TransformRequestAsync(context, request, destinationPrefix, cancellationToken);
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        context.Response.StatusCode = 200;
        await transformer.TransformResponseAsync(context, response, cancellationToken);
        Sent++;
        return ForwarderError.None;
    }
}
