using System.Net;
using Ballast.Ingress.Tests.Support;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Policies.Auth;

/// <summary>Standalone mode: API keys in a file beside the YAML, read through the same path as TLS files.</summary>
[Trait("Category", "Integration")]
public sealed class ApiKeyFileEndToEndTests
{
    [Fact]
    public async Task Keys_from_a_file_are_enforced_and_a_rotated_file_takes_over_on_reload()
    {
        await using var backend = await TestBackend.StartAsync("api");
        var port = FreePort.Next();
        await using var ingress = await IngressFixture.StartAsync();
        await using var folder = await StandaloneFolder.LoadAsync(ingress, backend.Port, $$"""
              listeners: [ { name: http, port: {{port}}, protocol: HTTP, address: 127.0.0.1 } ]
              routes:
                - backends: [ { pool: api } ]
                  auth: { apiKey: { keysFile: keys.txt } }
            """, ("keys.txt", "# name:key\nci: ci-0123456789abcdef\n"));
        var client = ingress.Client(port);

        Assert.Equal(HttpStatusCode.OK, await Send(client, "ci-0123456789abcdef"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(client, "ci-rotated-fedcba9876"));

        File.WriteAllText(Path.Combine(folder.Path, "keys.txt"), "ci: ci-rotated-fedcba9876\n");
        Assert.True(await folder.Source.ReloadAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, await Send(client, "ci-0123456789abcdef"));
        Assert.Equal(HttpStatusCode.OK, await Send(client, "ci-rotated-fedcba9876"));
        Assert.Equal(2, backend.Requests);
    }

    private static async Task<HttpStatusCode> Send(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Api-Key", key);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
