using System.Security.Cryptography;
using System.Text;
using Ballast.Model.Snapshots;
using Ballast.Operator.Tests.Support;
using k8s;
using k8s.Models;

namespace Ballast.Operator.Tests.Reconcile;

/// <summary>Operator mode: a route's API keys come from a Secret, like TLS certificates, and follow its edits.</summary>
[Trait("Category", "Integration")]
public sealed class AuthSecretTests : IAsyncLifetime
{
    private OperatorFixture _f = null!;

    public async Task InitializeAsync() => _f = await OperatorFixture.StartAsync(historyLimit: 50);
    public async Task DisposeAsync() => await _f.DisposeAsync();

    private static string Digest(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static ApiKeyAuthSnapshot? ApiKey(Snapshot s) => s.Listeners.SelectMany(l => l.Routes).FirstOrDefault()?.ApiKey;

    [Fact]
    public async Task API_keys_from_a_Secret_reach_the_snapshot_as_digests_and_a_rotated_Secret_replaces_them()
    {
        await _f.ApplySamplesAsync();
        await _f.SetEndpointsAsync("shop", "echo-v1", ("10.0.0.1", true, true, false));
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "api-keys", NamespaceProperty = "shop" },
            Type = "Opaque",
            Data = new Dictionary<string, byte[]> { ["ci"] = Encoding.UTF8.GetBytes("ci-0123456789abcdef") },
        };
        await _f.Cluster.Client.CoreV1.CreateNamespacedSecretAsync(secret, "shop");
        await _f.Cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"routes":[{"name":"echo","backends":[{"pool":"echo-v1","weight":1}],"auth":{"apiKey":{"secretRef":"api-keys"}}}]}}""", V1Patch.PatchType.MergePatch),
            "ballast.dev", "v1alpha1", "shop", "loadbalancerpolicies", "shop");

        var first = await _f.SnapshotWhereAsync(s => ApiKey(s) is not null, "the route with its API keys");
        Assert.Equal([new ApiKeyEntry("ci", Digest("ci-0123456789abcdef"))], ApiKey(first)!.Keys.ToArray());

        secret.Data["ci"] = Encoding.UTF8.GetBytes("ci-rotated-fedcba9876");
        await _f.Cluster.Client.CoreV1.ReplaceNamespacedSecretAsync(secret, "api-keys", "shop");

        var rotated = await _f.SnapshotWhereAsync(s => ApiKey(s)?.Keys.FirstOrDefault()?.Sha256 == Digest("ci-rotated-fedcba9876"), "the rotated key");
        Assert.Single(ApiKey(rotated)!.Keys);
    }
}
