using Ballast.Ingress.Tests.Support;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Listeners;

/// <summary>
/// Strict HTTP at the edge, at the byte level: a client that writes exact bytes, an origin that records what
/// reached it. A malformed request gets its 4xx/5xx, an HTTP/1.1 connection whose framing is in doubt is closed,
/// and nothing reaches the origin; fields that belong to one connection never cross the proxy.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StrictHttpTests : IAsyncLifetime
{
    private OriginBehindIngress _edge = null!;

    public async Task InitializeAsync() => _edge = await OriginBehindIngress.StartAsync();

    public async Task DisposeAsync() => await _edge.DisposeAsync();

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
    // Connection (RFC 9110 §7.6.1) is a list of tokens, and may not nominate what the message cannot lose.
    [InlineData("connection with a non-token character", "GET / HTTP/1.1\r\nHost: shop.example\r\nConnection: close, X/Secret\r\n\r\n", 400)]
    [InlineData("connection with a quoted string", "GET / HTTP/1.1\r\nHost: shop.example\r\nConnection: \"X-Secret\"\r\n\r\n", 400)]
    [InlineData("connection nominates host", "GET / HTTP/1.1\r\nHost: shop.example\r\nConnection: Host\r\n\r\n", 400)]
    [InlineData("connection nominates content-length", Post + "Connection: close, content-length\r\nContent-Length: 5\r\n\r\nhello", 400)]
    [InlineData("connection nominates transfer-encoding", Post + "Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400)]
    public async Task A_malformed_http11_request_is_refused_its_connection_closed_and_nothing_reaches_the_origin(string what, string request, int status)
    {
        await using var client = await RawHttp.ConnectAsync(_edge.Port);
        var (answered, _) = await client.SendAsync(request);
        Assert.True(answered == status, $"{what}: expected {status}, got {answered}");
        Assert.True(await client.ClosedByServerAsync(), $"{what}: the connection must be closed");
        Assert.True(_edge.Origin.Heads.IsEmpty, $"{what}: reached the origin:\n{string.Join("\n", _edge.Origin.Heads)}");
    }

    [Theory]
    // RFC 9112 §7.1: chunk-size is 1*HEXDIG, chunk-ext has no bare LF, the data is exactly chunk-size octets.
    [InlineData("chunk size not hex", "zz\r\nhello\r\n0\r\n\r\n")]
    [InlineData("chunk size overflow", "1FFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n")]
    [InlineData("chunk data longer than its size", "3\r\nhello\r\n0\r\n\r\n")]
    [InlineData("bare lf in a chunk extension", "5;ext=a\nb\r\nhello\r\n0\r\n\r\n")]
    [InlineData("the client goes away mid-body", null)]
    public async Task A_chunked_body_that_goes_wrong_after_the_head_was_forwarded_reaches_the_origin_aborted_never_complete(string what, string? rest)
    {
        // The proxy streams bodies: the head and a first good chunk (64 KiB: more than the forwarder buffers before
        // it writes) are at the origin before the bad bytes come.
        var client = await RawHttp.ConnectAsync(_edge.Port);
        await client.WriteAsync(Post + "Transfer-Encoding: chunked\r\n\r\n10000\r\n" + new string('a', 0x10000) + "\r\n");
        await Eventually.True(() => !_edge.Origin.Heads.IsEmpty, $"{what}: the head reached the origin");

        if (rest is null)
        {
            await client.DisposeAsync();
        }
        else
        {
            await client.WriteAsync(rest);
            // RFC 9112 §7.1 / §9.6: a 400 and a closed connection, or a connection closed without an answer.
            try
            {
                Assert.True((await client.ReadResponseAsync()).Status == 400, what);
                Assert.True(await client.ClosedByServerAsync(), $"{what}: the connection must be closed");
            }
            catch (IOException)
            {
            }
            await client.DisposeAsync();
        }

        await Eventually.True(() => !_edge.Origin.Bodies.IsEmpty, $"{what}: the origin saw the body end");
        Assert.Equal(["aborted"], _edge.Origin.Bodies.ToArray());
        Assert.Single(_edge.Origin.Heads);
    }

    [Theory]
    [InlineData("request line over the limit", 414)]
    [InlineData("header fields over the limit", 431)]
    public async Task Oversized_request_lines_and_headers_are_refused_before_the_origin(string what, int status)
    {
        var request = status == 414
            ? $"GET /{new string('a', 20_000)} HTTP/1.1\r\nHost: shop.example\r\n\r\n"
            : $"GET / HTTP/1.1\r\nHost: shop.example\r\nX-Big: {new string('a', 40_000)}\r\n\r\n";
        await using var client = await RawHttp.ConnectAsync(_edge.Port);
        Assert.Equal(status, (await client.SendAsync(request)).Status);
        Assert.True(await client.ClosedByServerAsync(), what);
        Assert.True(_edge.Origin.Heads.IsEmpty);
    }

    [Fact]
    public async Task A_well_formed_request_with_the_same_shapes_done_right_reaches_the_origin()
    {
        // The control for the refusals above: digits, one chunked coding, an absolute-form target naming the Host.
        await using var client = await RawHttp.ConnectAsync(_edge.Port);
        Assert.Equal(200, (await client.SendAsync(Post + "Content-Length: 5\r\n\r\nhello")).Status);
        Assert.Equal(200, (await client.SendAsync(Post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")).Status);
        Assert.Equal(200, (await client.SendAsync("GET http://shop.example/x HTTP/1.1\r\nHost: shop.example\r\n\r\n")).Status);
        Assert.Equal(3, _edge.Origin.Heads.Count);
        Assert.Equal(["complete", "complete", "complete"], _edge.Origin.Bodies.ToArray());
        Assert.Equal(1, _edge.Origin.Connections);
    }

    [Theory]
    // Kestrel rewrites Connection to the single standard token it finds ("close, X-Secret" becomes "close") before
    // any middleware: the names must survive that (Listeners/NominatedFields), whatever the shape of the list.
    [InlineData("close and a name", "HTTP/1.1", "Connection: close, X-Secret\r\n")]
    [InlineData("a name before close", "HTTP/1.1", "Connection: X-Secret, close\r\n")]
    [InlineData("a name alone", "HTTP/1.1", "Connection: X-Secret\r\n")]
    [InlineData("keep-alive and a name", "HTTP/1.1", "Connection: keep-alive, X-Secret\r\n")]
    [InlineData("upgrade and a name", "HTTP/1.1", "Connection: Upgrade, X-Secret\r\nUpgrade: foo\r\n")]
    [InlineData("keep-alive, close and a name", "HTTP/1.1", "Connection: keep-alive, close, X-Secret\r\n")]
    [InlineData("other letter case", "HTTP/1.1", "Connection: CLOSE, x-SECRET\r\n")]
    [InlineData("whitespace and empty list elements", "HTTP/1.1", "Connection: ,\t X-Secret ,, keep-alive ,\r\n")]
    [InlineData("two names", "HTTP/1.1", "Connection: X-Other, X-Secret\r\n")]
    [InlineData("two connection lines", "HTTP/1.1", "Connection: keep-alive\r\nConnection: X-Other, X-Secret\r\n")]
    [InlineData("connection after the field", "HTTP/1.1", "X-Late: l\r\nConnection: X-Secret\r\n")]
    [InlineData("http/1.0 keep-alive and a name", "HTTP/1.0", "Connection: keep-alive, X-Secret\r\n")]
    [InlineData("http/1.0 a name alone", "HTTP/1.0", "Connection: X-Secret\r\n")]
    public async Task Fields_a_client_names_in_connection_never_reach_the_origin(string what, string version, string connection)
    {
        await using var client = await RawHttp.ConnectAsync(_edge.Port);
        var (status, _) = await client.SendAsync($"GET / {version}\r\nHost: shop.example\r\n{connection}" +
            "X-Secret: s\r\nX-Other: o\r\nX-Kept: k\r\n\r\n");
        Assert.True(status == 200, $"{what}: {status}");
        var head = Assert.Single(_edge.Origin.Heads);
        Assert.True(!head.Contains("X-Secret", StringComparison.OrdinalIgnoreCase), $"{what}: X-Secret reached the origin:\n{head}");
        Assert.True(head.Contains("X-Kept: k", StringComparison.Ordinal), $"{what}: X-Kept was lost:\n{head}");
        var otherNamed = connection.Contains("X-Other", StringComparison.Ordinal);
        Assert.True(otherNamed != head.Contains("X-Other", StringComparison.OrdinalIgnoreCase), $"{what}: X-Other:\n{head}");
    }

    [Fact]
    public async Task Names_nominated_by_one_request_do_not_follow_the_next_on_the_same_connection()
    {
        await using var client = await RawHttp.ConnectAsync(_edge.Port);
        Assert.Equal(200, (await client.SendAsync("GET /1 HTTP/1.1\r\nHost: shop.example\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\n\r\n")).Status);
        Assert.Equal(200, (await client.SendAsync("GET /2 HTTP/1.1\r\nHost: shop.example\r\nConnection: keep-alive\r\nX-Secret: 2\r\n\r\n")).Status);
        Assert.Equal(200, (await client.SendAsync("GET /3 HTTP/1.1\r\nHost: shop.example\r\nX-Secret: 3\r\n\r\n")).Status);
        var heads = _edge.Origin.Heads.ToArray();
        Assert.Equal(3, heads.Length);
        Assert.DoesNotContain("X-Secret", heads[0], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("X-Secret: 2", heads[1], StringComparison.Ordinal);
        Assert.Contains("X-Secret: 3", heads[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hop_by_hop_fields_of_a_request_never_reach_the_origin()
    {
        await using var client = await RawHttp.ConnectAsync(_edge.Port);
        var (status, _) = await client.SendAsync("GET / HTTP/1.1\r\nHost: shop.example\r\nConnection: keep-alive\r\n" +
            "X-Kept: k\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: gzip\r\nUpgrade: foo\r\n\r\n");
        Assert.Equal(200, status);
        var head = Assert.Single(_edge.Origin.Heads);
        Assert.Contains("X-Kept: k", head);
        foreach (var field in new[] { "Keep-Alive", "Proxy-Connection", "TE:", "Upgrade", "Connection" })
        {
            Assert.False(head.Contains(field, StringComparison.OrdinalIgnoreCase), $"{field} reached the origin:\n{head}");
        }
    }

    [Fact]
    public async Task Fields_a_backend_names_in_connection_and_the_hop_by_hop_set_never_reach_the_client()
    {
        _edge.Origin.Response = "HTTP/1.1 200 OK\r\nConnection: X-Internal\r\nX-Internal: secret\r\nKeep-Alive: timeout=5\r\n" +
                           "Proxy-Connection: keep-alive\r\nUpgrade: h2c\r\nX-Kept: k\r\nContent-Length: 2\r\n\r\nok";
        await using var client = await RawHttp.ConnectAsync(_edge.Port);
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
        await using var h2 = await RawH2.ConnectAsync(_edge.Port);
        await h2.WriteFrameAsync(RawH2.Headers, RawH2.EndStream | RawH2.EndHeaders, 1, RawH2.Block("/", (name, value)));
        var outcome = await h2.ReadOutcomeAsync(1);
        // 400, or PROTOCOL_ERROR as a stream or connection error (RFC 9113 §8.1.1; Kestrel uses the latter).
        Assert.True(outcome is "status 400" or "rst 1" or "goaway 1", $"{name}: {outcome}");
        Assert.True(_edge.Origin.Heads.IsEmpty, $"{name}: reached the origin");
    }

    [Fact]
    public async Task An_http2_request_with_te_trailers_is_forwarded()
    {
        await using var h2 = await RawH2.ConnectAsync(_edge.Port);
        await h2.WriteFrameAsync(RawH2.Headers, RawH2.EndStream | RawH2.EndHeaders, 1, RawH2.Block("/", ("te", "trailers"), ("x-kept", "k")));
        Assert.Equal("status 200", await h2.ReadOutcomeAsync(1));
        Assert.Contains("x-kept: k", Assert.Single(_edge.Origin.Heads), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("garbage status line", "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("bad content-length", "HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nok")]
    [InlineData("not http", "SSH-2.0-OpenSSH_9.6\r\n")]
    public async Task A_malformed_backend_response_is_a_502_and_the_client_connection_keeps_working(string what, string response)
    {
        _edge.Origin.Response = response;
        await using var client = await RawHttp.ConnectAsync(_edge.Port);
        Assert.True((await client.SendAsync("GET /first HTTP/1.1\r\nHost: shop.example\r\n\r\n")).Status == 502, what);
        _edge.Origin.Response = RecordingOrigin.Ok;
        Assert.Equal((200, "ok"), await client.SendAsync("GET /second HTTP/1.1\r\nHost: shop.example\r\n\r\n"));
    }
}
