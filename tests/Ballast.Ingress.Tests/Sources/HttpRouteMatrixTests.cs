using System.Net;
using Ballast.Ingress.Tests.Support;

namespace Ballast.Ingress.Tests.Sources;

/// <summary>
/// The conformance-derived request matrix: every exchange of <see cref="HttpRouteExchanges"/> sent through a
/// standalone ingress serving <c>conformance-routes.yaml</c> to echo backends that report what they received. One theory, one
/// case per exchange; a case names its feature and what it shows.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HttpRouteMatrixTests(ConformanceGateway gateway) : IClassFixture<ConformanceGateway>
{
    [Theory]
    [MemberData(nameof(HttpRouteExchanges.Keys), MemberType = typeof(HttpRouteExchanges))]
    public async Task Exchange(string key)
    {
        var exchange = HttpRouteExchanges.All.Single(e => e.Key == key);
        var answered = new HashSet<string>();
        for (var i = 0; i < exchange.Times; i++)
        {
            if (exchange.Method.Any(char.IsLower))
            {
                // HttpClient upper-cases a known method; the raw request keeps it as written.
                await using var raw = await RawHttp.ConnectAsync(gateway.Port);
                var (status, _) = await raw.SendAsync($"{exchange.Method} {exchange.Path} HTTP/1.1\r\nHost: {exchange.Host}\r\nConnection: close\r\n\r\n");
                Assert.Equal(exchange.Status, status);
                continue;
            }
            using var request = new HttpRequestMessage(new HttpMethod(exchange.Method), exchange.Path);
            if (exchange.Host.Length > 0) request.Headers.Host = exchange.Host;
            foreach (var (name, value) in exchange.Headers) request.Headers.TryAddWithoutValidation(name, value);
            if (exchange.Body is { } body) request.Content = new StringContent(body);
            using var response = await gateway.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(exchange.Status == (int)response.StatusCode, $"{key}: expected {exchange.Status}, got {(int)response.StatusCode}: {text}");
            if (exchange.Location is { } location)
                Assert.Equal(Expand(location, ""), response.Headers.Location?.OriginalString);
            if (exchange.Status != 200) continue;

            var seen = EchoBackend.Parse(text);
            answered.Add(seen.Backend);
            if (exchange.Backends.Length > 0) Assert.Contains(seen.Backend, exchange.Backends);
            if (exchange.SeenPath is { } path) Assert.Equal(path, seen.Path + seen.Query);
            if (exchange.SeenHost is { } host) Assert.Equal(host, seen.Host);
            foreach (var (name, value) in exchange.SeenHeaders) Assert.Equal(Expand(value, seen.Backend), seen.Header(name));
            foreach (var name in exchange.AbsentHeaders) Assert.Null(seen.Header(name));
            foreach (var (name, value) in exchange.ResponseHeaders)
                Assert.Equal(Expand(value, seen.Backend), response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null);
            foreach (var name in exchange.AbsentResponseHeaders) Assert.False(response.Headers.Contains(name), $"{name} is still in the response");
        }
        // Every backend the exchange names answered (the split reaches each of them).
        if (exchange.Status == 200 && exchange.Method.All(c => !char.IsLower(c))) Assert.Equal(exchange.Backends.Order(), answered.Order());
    }

    private string Expand(string expected, string backend) =>
        expected.Replace("{port}", gateway.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{backend}", backend, StringComparison.Ordinal);

    [Fact]
    public void Every_exchange_has_a_name_of_its_own() =>
        Assert.Equal(HttpRouteExchanges.All.Length, HttpRouteExchanges.All.Select(e => e.Key).Distinct().Count());
}
