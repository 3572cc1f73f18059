using System.Net;
using System.Net.Http.Headers;
using Ballast.Ingress.Sources;
using Ballast.Operator.Tests.Support;
using Ballast.Testing;

namespace Ballast.Operator.Tests.Delivery.Auth;

/// <summary>
/// Issue 17: ingress replicas authenticate to the operator with their projected ServiceAccount token, which the
/// operator checks with a TokenReview (audience ballast-operator, ServiceAccount ballast-system/ballast-ingress) in the
/// emulator; tokens of another ServiceAccount, another audience or past their expiry are refused (401) and counted.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ProjectedTokenAuthTests : IAsyncLifetime
{
    private const string Audience = "ballast-operator";
    private const string Ns = "ballast-system";
    private const string IngressSa = "ballast-ingress";
    private OperatorFixture _f = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _f = await OperatorFixture.StartAsync(configure: o => o with
        {
            SnapshotToken = "",
            IngressServiceAccount = $"{Ns}/{IngressSa}",
            SnapshotAudience = Audience,
        });
        _dir = Directory.CreateTempSubdirectory("ballast-token-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _f.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string Token(string serviceAccount = IngressSa, string audience = Audience, double minutes = 10) =>
        _f.Cluster.Api.Tokens.Issue(Ns, serviceAccount, audience, TimeSpan.FromMinutes(minutes));

    private async Task<HttpStatusCode> PollAsync(string? token)
    {
        using var http = new HttpClient { BaseAddress = _f.Operator.SnapshotUri };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync("/v1/snapshot?after=0");
        return response.StatusCode;
    }

    private async Task<double> RefusedAsync(string reason)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(_f.Operator.MetricsUri!, "/metrics"));
        return PrometheusScrape.Value(text, $"ballast_operator_snapshot_auth_failures_total{{reason=\"{reason}\"}}") ?? -1;
    }

    [Fact]
    public async Task Tokens_of_another_ServiceAccount_or_audience_expired_or_missing_are_refused_and_counted_and_verdicts_are_cached()
    {
        await Eventually.True(() => _f.Operator.Hub.HasSnapshot, "a first snapshot");
        Assert.Equal(HttpStatusCode.Unauthorized, await PollAsync(Token(serviceAccount: "someone-else")));
        Assert.Equal(1, await RefusedAsync("service_account"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PollAsync(Token(audience: "https://kubernetes.default.svc")));
        Assert.Equal(HttpStatusCode.Unauthorized, await PollAsync(Token(minutes: -1)));
        Assert.Equal(HttpStatusCode.Unauthorized, await PollAsync("not-a-token-the-api-server-issued"));
        Assert.Equal(3, await RefusedAsync("invalid"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PollAsync(null));
        Assert.Equal(1, await RefusedAsync("missing"));

        var good = Token();
        var reviews = _f.Cluster.Api.Tokens.Reviews;
        Assert.Equal(HttpStatusCode.OK, await PollAsync(good));
        Assert.Equal(HttpStatusCode.OK, await PollAsync(good));
        Assert.Equal(reviews + 1, _f.Cluster.Api.Tokens.Reviews); // the second request reused the verdict
        Assert.Equal(0, await RefusedAsync("review_error"));
    }

    [Fact]
    public async Task A_replica_follows_the_operator_with_its_projected_token_and_rereads_the_file_when_the_kubelet_rotates_it()
    {
        await using var backend = await TestBackend.StartAsync("v1");
        var tokenPath = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(tokenPath, Token());
        var port = FreePort.Next();
        await using var replica = await Replica.StartAsync("replica-0", IPAddress.Loopback, _f.Operator.SnapshotUri, new TokenFile(tokenPath).Read, Path.Combine(_dir, "state"));

        await Manifests.ApplyAsync(_f.Cluster.Api, Manifests.Shop(port, backend.Port));
        await _f.UntilConditionAsync("loadbalancerpolicies", "shop", "shop", "Programmed", "True",
            "Programmed=True: the replica fetched and reported with its projected token");
        Assert.Equal(0, await RefusedAsync("invalid"));

        // The file now holds a token the API server no longer accepts: the replica's next request presents it (re-read), is refused and counted.
        await File.WriteAllTextAsync(tokenPath, Token(minutes: -1));
        await Eventually.GetAsync(() => RefusedAsync("invalid"), n => n >= 1, "the replica's next poll refused with the expired token");
        // The kubelet writes a fresh one: the replica follows the next change without a restart.
        await File.WriteAllTextAsync(tokenPath, Token());
        var before = replica.Host.CurrentSnapshot.Version;
        await Manifests.ApplyAsync(_f.Cluster.Api, Manifests.ShopPolicy(port, pathPrefix: "/v2"));
        await Eventually.True(() => replica.Host.CurrentSnapshot.Version > before, "the replica applied the change with the rotated token", within: TimeSpan.FromSeconds(20));
    }
}
