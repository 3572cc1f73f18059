using System.Collections.Concurrent;
using System.Net;
using Ballast.Ingress.Tests.Tracing.Otlp;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ballast.Ingress.Tests.Tracing;

/// <summary>
/// A real OTLP/HTTP receiver on 127.0.0.1: Kestrel answering <c>POST /v1/traces</c> with the protobuf
/// <c>ExportTraceServiceRequest</c>, decoded into the spans it carried (with their resource's attributes).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, int port)
    {
        _app = app;
        Endpoint = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>The base URL an exporter is given (it posts to <c>/v1/traces</c>).</summary>
    public Uri Endpoint { get; }
    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();
    /// <summary>Requests that were not a protobuf export to /v1/traces (should stay empty).</summary>
    public ConcurrentQueue<string> Rejected { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        OtlpReceiver? self = null;
        app.Run(async context =>
        {
            if (context.Request.Path != "/v1/traces" || context.Request.ContentType != "application/x-protobuf")
            {
                self!.Rejected.Enqueue($"{context.Request.Method} {context.Request.Path} {context.Request.ContentType}");
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var request = ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray());
            foreach (var resourceSpans in request.ResourceSpans)
            {
                var resource = Attributes(resourceSpans.Resource?.Attributes);
                foreach (var scope in resourceSpans.ScopeSpans)
                    foreach (var span in scope.Spans) self!.Spans.Enqueue(new ReceivedSpan(span, Attributes(span.Attributes), resource, scope.Scope?.Name ?? ""));
            }
            // An empty ExportTraceServiceResponse: zero bytes of protobuf.
            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        self = new OtlpReceiver(app, port);
        return self;
    }

    private static Dictionary<string, object?> Attributes(IEnumerable<KeyValue>? attributes) =>
        (attributes ?? []).ToDictionary(a => a.Key, a => a.Value?.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => a.Value.StringValue,
            AnyValue.ValueOneofCase.IntValue => a.Value.IntValue,
            AnyValue.ValueOneofCase.BoolValue => a.Value.BoolValue,
            AnyValue.ValueOneofCase.DoubleValue => (object)a.Value.DoubleValue,
            _ => null,
        });

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}

/// <summary>One decoded span: ids as lower-case hex, as they appear in <c>traceparent</c>.</summary>
public sealed record ReceivedSpan(Span Span, IReadOnlyDictionary<string, object?> Attributes, IReadOnlyDictionary<string, object?> Resource, string Scope)
{
    public string TraceId => Hex(Span.TraceId);
    public string SpanId => Hex(Span.SpanId);
    public string ParentSpanId => Hex(Span.ParentSpanId);
    public string Name => Span.Name;
    public object? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);
}
