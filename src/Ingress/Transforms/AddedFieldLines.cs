using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Transforms;

/// <summary>
/// A header rule's <c>add</c> as a field line of its own (Gateway API: "appends a separate value"). HttpClient writes
/// every value of one header name on a single line joined by ", " (HTTP/1.1) or as one HPACK field (HTTP/2), so adding
/// a value to <c>HttpRequestMessage.Headers</c> would send <c>X: a, b</c>. It writes the request's headers and then its
/// content's as separate fields, though, so a value added to a name the request already carries goes on the content's
/// headers: the backend receives <c>X: a</c> and <c>X: b</c>. A request without a body gets a zero-length content for
/// that (it then carries <c>Content-Length: 0</c>, as YARP does for a bodiless request with content headers).
/// <para>
/// Applied at send time by <see cref="Invoker"/>, a thin invoker over the pool's: YARP refuses a content a transform
/// puts on a request without a body, and only routes with <c>add</c> rules take this path (the others pay nothing).
/// </para>
/// </summary>
public static class AddedFieldLines
{
    /// <summary>Appends each value, on a line of its own when the name already has one (a rule's remove and set ran before).</summary>
    public static void Apply(HttpRequestMessage request, ReadOnlySpan<KeyValuePair<string, string>> adds)
    {
        foreach (var (name, value) in adds)
        {
            var content = request.Content;
            if (!request.Headers.NonValidated.Contains(name) && content?.Headers.NonValidated.Contains(name) != true)
            {
                // The first value of the name: an ordinary header (content headers such as Content-Type live on the content).
                if (!request.Headers.TryAddWithoutValidation(name, value)) content?.Headers.TryAddWithoutValidation(name, value);
                continue;
            }
            if (!request.Headers.NonValidated.Contains(name))
            {
                // A content header (Content-Language …): its own lines are joined by HttpClient whatever we do.
                content!.Headers.TryAddWithoutValidation(name, value);
                continue;
            }
            content = request.Content ??= new EmptyContent();
            if (!content.Headers.TryAddWithoutValidation(name, value)) request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>The adds of the route's rules, then the backend's: empty when neither adds anything.</summary>
    public static KeyValuePair<string, string>[] Of(HeaderRulesSnapshot? route, HeaderRulesSnapshot? backend) =>
        [.. route?.Add ?? [], .. backend?.Add ?? []];

    /// <summary>An invoker that applies <paramref name="adds"/> and sends through <paramref name="pool"/>'s connections.</summary>
    public static HttpMessageInvoker Invoker(HttpMessageInvoker pool, KeyValuePair<string, string>[] adds) =>
        new(new Handler(pool, adds), disposeHandler: false);

    private sealed class Handler(HttpMessageInvoker pool, KeyValuePair<string, string>[] adds) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Apply(request, adds);
            return pool.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A zero-length body, there only to carry a second line of a header.</summary>
    private sealed class EmptyContent : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => Task.CompletedTask;

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return true;
        }
    }
}
