using Ballast.Ingress.Tests.Support;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Testing;
using static Ballast.Ingress.Tests.Support.Snapshots;

namespace Ballast.Ingress.Tests.Listeners;

/// <summary>
/// Strict HTTP at the edge, at the byte level: a client that writes exact bytes, an origin that records what
/// reached it. A malformed request gets its 4xx/5xx, an HTTP/1.1 connection whose framing is in doubt is closed,
/// and nothing reaches the origin; fields that belong to one connection never cross the proxy.
/// </summary>
public sealed class StrictHttpTests : IAsyncLifetime
{
    private RecordingOrigin _origin = null!;
    private IngressFixture _ingress = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _origin = RecordingOrigin.Start();
        _ingress = await IngressFixture.StartAsync();
        _port = FreePort.Next();
        var pool = Pool("p", PoolProtocol.HTTP1, new EndpointSnapshot { Host = "127.0.0.1", Port = _origin.Port });
        await _ingress.ApplyAsync(Of(1, [Listener(_port, Route("r", ("p", 1)))], pool));
    }

    public async Task DisposeAsync()
    {
        await _ingress.DisposeAsync();
        await _origin.DisposeAsync();
    }

    private const string Post = "POST / HTTP/1.1\r\nHost: shop.example\r\n";

    [Theory]
    // Content-Length must be 1*DIGIT (RFC 9110 §8.6): sign, inner whitespace, hex, lists, overflow.
    [InlineData("content-length plus sign", Post + "Content-Length: +5\r\n\r\nhello", 400)]
    [InlineData("content-length minus sign", Post + "Content-Length: -5\r\n\r\nhello", 400)]
    [InlineData("content-length inner space", Post + "Content-Length: 5 0\r\n\r\nhello", 400)]
    [InlineData("content-length hex", Post + "Content-Length: 0x5\r\n\r\nhello", 400)]
    [InlineData("content-length differing list", Post + "Content-Length: 5, 6\r\n\r\nhello", 400)]
    [InlineData("content-length equal list", Post + "Content-Length: 5, 5\r\n\r\nhello", 400)]
    [InlineData("content-length twice", Post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400)]
    [InlineData("content-length overflow", Post + "Content-Length: 99999999999999999999999\r\n\r\nhello", 400)]
    // RFC 9112 §6.3: both framings at once is the request-smuggling shape.
    [InlineData("content-length and transfer-encoding", Post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData("transfer-encoding and content-length", Post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400)]
    // Only chunked is decoded; another coding is not implemented (RFC 9112 §6.1) or not last (400).
    [InlineData("transfer-encoding gzip then chunked", Post + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 501)]
    [InlineData("transfer-encoding chunked then gzip", Post + "Transfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400)]
    // Field syntax (RFC 9112 §5): obs-fold, whitespace before the colon, CR/LF/NUL in names and values.
    [InlineData("obs-fold", "GET / HTTP/1.1\r\nHost: shop.example\r\nX-Folded: a\r\n b\r\n\r\n", 400)]
    [InlineData("whitespace before colon", "GET / HTTP/1.1\r\nHost: shop.example\r\nX-Space : a\r\n\r\n", 400)]
    [InlineData("nul in value", "GET / HTTP/1.1\r\nHost: shop.example\r\nX-Nul: a\0b\r\n\r\n", 400)]
    [InlineData("bare cr in value", "GET / HTTP/1.1\r\nHost: shop.example\r\nX-Cr: a\rb\r\n\r\n", 400)]
    [InlineData("bare lf in value", "GET / HTTP/1.1\r\nHost: shop.example\r\nX-Lf: a\nb\r\n\r\n", 400)]
    [InlineData("nul in name", "GET / HTTP/1.1\r\nHost: shop.example\r\nX\0N: a\r\n\r\n", 400)]
    [InlineData("cr in name", "GET / HTTP/1.1\r\nHost: shop.example\r\nX\rN: a\r\n\r\n", 400)]
    // Host (RFC 9112 §3.2): an absolute-form target whose authority differs, two Hosts, none.
    [InlineData("absolute-form other host", "GET http://other.example/ HTTP/1.1\r\nHost: shop.example\r\n\r\n", 400)]
    [InlineData("two hosts", "GET / HTTP/1.1\r\nHost: shop.example\r\nHost: other.example\r\n\r\n", 400)]
    [InlineData("no host", "GET / HTTP/1.1\r\n\r\n", 400)]
    public async Task A_malformed_http11_request_is_refused_its_connection_closed_and_nothing_reaches_the_origin(string what, string request, int status)
    {
        await using var client = await RawHttp.ConnectAsync(_port);
        var (answered, _) = await client.SendAsync(request);
        Assert.True(answered == status, $"{what}: expected {status}, got {answered}");
        Assert.True(await client.ClosedByServerAsync(), $"{what}: the connection must be closed");
        Assert.True(_origin.Heads.IsEmpty, $"{what}: reached the origin:\n{string.Join("\n", _origin.Heads)}");
    }

    [Theory]
    [InlineData("request line over the limit", 414)]
    [InlineData("header fields over the limit", 431)]
    public async Task Oversized_request_lines_and_headers_are_refused_before_the_origin(string what, int status)
    {
        var request = status == 414
            ? $"GET /{new string('a', 20_000)} HTTP/1.1\r\nHost: shop.example\r\n\r\n"
            : $"GET / HTTP/1.1\r\nHost: shop.example\r\nX-Big: {new string('a', 40_000)}\r\n\r\n";
        await using var client = await RawHttp.ConnectAsync(_port);
        Assert.Equal(status, (await client.SendAsync(request)).Status);
        Assert.True(await client.ClosedByServerAsync(), what);
        Assert.True(_origin.Heads.IsEmpty);
    }

    [Fact]
    public async Task A_well_formed_request_with_the_same_shapes_done_right_reaches_the_origin()
    {
        // The control for the refusals above: digits, one chunked coding, an absolute-form target naming the Host.
        await using var client = await RawHttp.ConnectAsync(_port);
        Assert.Equal(200, (await client.SendAsync(Post + "Content-Length: 5\r\n\r\nhello")).Status);
        Assert.Equal(200, (await client.SendAsync(Post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")).Status);
        Assert.Equal(200, (await client.SendAsync("GET http://shop.example/x HTTP/1.1\r\nHost: shop.example\r\n\r\n")).Status);
        Assert.Equal(3, _origin.Heads.Count);
        Assert.Equal(1, _origin.Connections);
    }

    [Fact]
    public async Task The_hop_by_hop_fields_of_a_request_never_reach_the_origin()
    {
        // A client's Connection-nominated fields are not covered: Kestrel rewrites Connection before the proxy
        // sees it (docs/strict-http.md, "Known gaps").
        await using var client = await RawHttp.ConnectAsync(_port);
        var (status, _) = await client.SendAsync("GET / HTTP/1.1\r\nHost: shop.example\r\nConnection: keep-alive\r\n" +
            "X-Kept: k\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: gzip\r\nUpgrade: foo\r\n\r\n");
        Assert.Equal(200, status);
        var head = Assert.Single(_origin.Heads);
        Assert.Contains("X-Kept: k", head);
        foreach (var field in new[] { "Keep-Alive", "Proxy-Connection", "TE:", "Upgrade", "Connection" })
        {
            Assert.False(head.Contains(field, StringComparison.OrdinalIgnoreCase), $"{field} reached the origin:\n{head}");
        }
    }

    [Fact]
    public async Task Fields_a_backend_names_in_connection_and_the_hop_by_hop_set_never_reach_the_client()
    {
        _origin.Response = "HTTP/1.1 200 OK\r\nConnection: X-Internal\r\nX-Internal: secret\r\nKeep-Alive: timeout=5\r\n" +
                           "Proxy-Connection: keep-alive\r\nUpgrade: h2c\r\nX-Kept: k\r\nContent-Length: 2\r\n\r\nok";
        await using var client = await RawHttp.ConnectAsync(_port);
        Assert.Equal((200, "ok"), await client.SendAsync("GET / HTTP/1.1\r\nHost: shop.example\r\n\r\n"));
        Assert.Contains("X-Kept: k", client.LastHead);
        foreach (var field in new[] { "X-Internal", "Keep-Alive", "Proxy-Connection", "Upgrade", "Connection" })
        {
            Assert.DoesNotContain(field, client.LastHead, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("transfer-encoding", "chunked")]
    [InlineData("keep-alive", "timeout=5")]
    [InlineData("proxy-connection", "keep-alive")]
    [InlineData("upgrade", "websocket")]
    [InlineData("connection", "close")]
    [InlineData("te", "gzip")]
    public async Task An_http2_request_with_a_connection_specific_field_is_malformed_and_never_forwarded(string name, string value)
    {
        await using var h2 = await RawH2.ConnectAsync(_port);
        await h2.WriteFrameAsync(RawH2.Headers, RawH2.EndStream | RawH2.EndHeaders, 1, RawH2.Block("/", (name, value)));
        var outcome = await h2.ReadOutcomeAsync(1);
        // 400, or PROTOCOL_ERROR as a stream or connection error (RFC 9113 §8.1.1; Kestrel uses the latter).
        Assert.True(outcome is "status 400" or "rst 1" or "goaway 1", $"{name}: {outcome}");
        Assert.True(_origin.Heads.IsEmpty, $"{name}: reached the origin");
    }

    [Fact]
    public async Task An_http2_request_with_te_trailers_is_forwarded()
    {
        await using var h2 = await RawH2.ConnectAsync(_port);
        await h2.WriteFrameAsync(RawH2.Headers, RawH2.EndStream | RawH2.EndHeaders, 1, RawH2.Block("/", ("te", "trailers"), ("x-kept", "k")));
        Assert.Equal("status 200", await h2.ReadOutcomeAsync(1));
        Assert.Contains("x-kept: k", Assert.Single(_origin.Heads), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("garbage status line", "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("bad content-length", "HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nok")]
    [InlineData("not http", "SSH-2.0-OpenSSH_9.6\r\n")]
    public async Task A_malformed_backend_response_is_a_502_and_the_client_connection_keeps_working(string what, string response)
    {
        _origin.Response = response;
        await using var client = await RawHttp.ConnectAsync(_port);
        Assert.True((await client.SendAsync("GET /first HTTP/1.1\r\nHost: shop.example\r\n\r\n")).Status == 502, what);
        _origin.Response = RecordingOrigin.Ok;
        Assert.Equal((200, "ok"), await client.SendAsync("GET /second HTTP/1.1\r\nHost: shop.example\r\n\r\n"));
    }
}
