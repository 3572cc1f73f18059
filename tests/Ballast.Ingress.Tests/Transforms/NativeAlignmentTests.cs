using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Transforms;

/// <summary>
/// The native API where it now follows Gateway API (issue 19, item 6; README changelog): a header rule's <c>add</c>
/// arrives as a field line of its own, a redirect without a port keeps the listener's, query parameter names match
/// case-sensitively and only a repeated parameter's first value counts, methods match case-sensitively, and
/// <c>rewrite.path</c> replaces the whole path. The origin is a raw socket that records the exact request heads.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NativeAlignmentTests : IAsyncLifetime
{
    private RecordingOrigin _origin = null!;
    private IngressFixture _ingress = null!;
    private StandaloneFolder _folder = null!;
    private int _port;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _origin = RecordingOrigin.Start();
        _port = FreePort.Next();
        _ingress = await IngressFixture.StartAsync();
        _folder = await StandaloneFolder.LoadAsync(_ingress, _origin.Port, $$"""
              listeners: [ { name: http, port: {{_port}}, address: 127.0.0.1 } ]
              routes:
                - name: headers
                  match: { pathPrefix: /headers }
                  backends: [ { pool: api } ]
                  requestHeaders: { add: { X-Tag: added }, set: { X-Set: set-value } }
                  responseHeaders: { add: { X-Served: proxy } }
                - name: moved
                  match: { path: /moved }
                  redirect: { host: new.example.com }
                - name: query
                  match: { pathPrefix: /query, query: [ { name: Tier, value: gold } ] }
                  backends: [ { pool: api } ]
                - name: method
                  match: { pathPrefix: /method, methods: [ GET ] }
                  backends: [ { pool: api } ]
                - name: full
                  match: { pathPrefix: /full }
                  backends: [ { pool: api } ]
                  rewrite: { path: /v2/status }
            """);
        _client = _ingress.Client(_port);
    }

    public async Task DisposeAsync()
    {
        await _folder.DisposeAsync();
        await _ingress.DisposeAsync();
        await _origin.DisposeAsync();
    }

    private string LastHead() => _origin.Heads.Last();

    private static string[] Lines(string head, string name) =>
        [.. head.Split("\r\n").Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))];

    [Theory]
    [InlineData("GET", null)]
    [InlineData("POST", "a body")]
    public async Task An_added_header_value_arrives_on_a_field_line_of_its_own(string method, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/headers");
        request.Headers.TryAddWithoutValidation("X-Tag", "existing");
        if (body is not null) request.Content = new StringContent(body);
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var head = LastHead();
        Assert.Equal(["X-Tag: existing", "X-Tag: added"], Lines(head, "X-Tag"));
        Assert.Equal(["X-Set: set-value"], Lines(head, "X-Set"));
    }

    [Fact]
    public async Task An_added_header_that_the_request_lacks_is_one_ordinary_line()
    {
        using var response = await _client.GetAsync("/headers");

        Assert.Equal(["X-Tag: added"], Lines(LastHead(), "X-Tag"));
        Assert.Empty(Lines(LastHead(), "Content-Length")); // no body appears for a header that needed no second line
        Assert.Equal(["proxy"], response.Headers.GetValues("X-Served"));
    }

    [Fact]
    public async Task A_redirect_without_port_or_scheme_keeps_the_listeners_port()
    {
        using var response = await _client.GetAsync("/moved?a=1");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal($"http://new.example.com:{_port}/moved?a=1", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/query?Tier=gold", HttpStatusCode.OK)]
    [InlineData("/query?tier=gold", HttpStatusCode.NotFound)]
    [InlineData("/query?TIER=gold", HttpStatusCode.NotFound)]
    [InlineData("/query?Tier=gold&Tier=silver", HttpStatusCode.OK)]
    [InlineData("/query?Tier=silver&Tier=gold", HttpStatusCode.NotFound)]
    [InlineData("/query?x=1&Tier=go%6Cd", HttpStatusCode.OK)]
    public async Task Query_names_match_case_sensitively_and_a_repeated_parameter_by_its_first_value(string path, HttpStatusCode expected)
    {
        using var response = await _client.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", 200)]
    [InlineData("get", 404)]
    [InlineData("Get", 404)]
    public async Task Methods_match_case_sensitively(string method, int expected)
    {
        await using var raw = await RawHttp.ConnectAsync(_port);
        var (status, _) = await raw.SendAsync($"{method} /method HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n");
        Assert.Equal(expected, status);
    }

    [Fact]
    public async Task Rewrite_path_replaces_the_whole_path_and_keeps_the_query()
    {
        using var response = await _client.GetAsync("/full/anything/here?x=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("GET /v2/status?x=1 HTTP/1.1\r\n", LastHead(), StringComparison.Ordinal);
    }
}
