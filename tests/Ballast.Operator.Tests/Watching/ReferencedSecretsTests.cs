using System.Text;
using System.Text.Json.Nodes;
using Ballast.Model.Snapshots;
using Ballast.Operator.Tests.Support;
using Ballast.Testing;
using k8s;
using k8s.Models;

namespace Ballast.Operator.Tests.Watching;

/// <summary>Issue 7: the operator watches only the Secrets resources reference, and follows their rotation.</summary>
[Trait("Category", "Integration")]
public sealed class ReferencedSecretsTests : IAsyncLifetime
{
    private OperatorFixture _f = null!;

    public async Task InitializeAsync() => _f = await OperatorFixture.StartAsync();
    public async Task DisposeAsync() => await _f.DisposeAsync();

    private static Dictionary<string, byte[]> TlsData(string subject)
    {
        var (cert, key) = SelfSignedCertificate.Create(subject);
        return new() { ["tls.crt"] = Encoding.ASCII.GetBytes(cert), ["tls.key"] = Encoding.ASCII.GetBytes(key) };
    }

    private Task PutSecretAsync(string name, Dictionary<string, byte[]> data) =>
        Manifests.ApplyAsync(_f.Cluster.Api, [JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(new V1Secret
        {
            ApiVersion = "v1", Kind = "Secret", Type = "kubernetes.io/tls",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Data = data,
        }, WebJson))!.AsObject()]);

    private static readonly System.Text.Json.JsonSerializerOptions WebJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    private Task ApplyPolicyAsync(string? secretRef) => Manifests.ApplyAsync(_f.Cluster.Api, Manifests.Parse($$"""
        apiVersion: ballast.dev/v1alpha1
        kind: BackendPool
        metadata: { name: web, namespace: default }
        spec: { endpoints: [ { address: "10.0.0.1:8080" } ] }
        ---
        apiVersion: ballast.dev/v1alpha1
        kind: LoadBalancerPolicy
        metadata: { name: site, namespace: default }
        spec:
          listeners:
        {{(secretRef is null
            ? "    - { name: http, port: 8080, protocol: HTTP }"
            : $"    - {{ name: https, port: 8443, protocol: HTTPS, tls: {{ certificates: [ {{ secretRef: {secretRef} }} ] }} }}")}}
          routes: [ { backends: [ { pool: web } ] } ]
        """));

    private static string? ServedCertificate(Snapshot s) =>
        s.Listeners.FirstOrDefault(l => l.Tls is not null)?.Tls!.Certificates.FirstOrDefault()?.CertificatePem;

    [Fact]
    public async Task Only_the_referenced_Secret_is_watched_its_rotation_recompiles_and_dropping_the_reference_stops_the_watch()
    {
        var first = TlsData("site.test");
        await PutSecretAsync("site-tls", first);
        await PutSecretAsync("someone-elses-credentials", TlsData("other.test"));
        await ApplyPolicyAsync("site-tls");

        await _f.SnapshotWhereAsync(s => ServedCertificate(s) == Encoding.ASCII.GetString(first["tls.crt"]), "the listener serving the Secret's certificate");
        Assert.Equal(["default/site-tls"], _f.Operator.Controller.Secrets.Watched);
        Assert.Equal(["site-tls"], _f.Operator.Controller.Secrets.Items.Select(s => s.Metadata.Name));

        var rotated = TlsData("site.test");
        await PutSecretAsync("site-tls", rotated);
        await _f.SnapshotWhereAsync(s => ServedCertificate(s) == Encoding.ASCII.GetString(rotated["tls.crt"]), "the rotated certificate in the next snapshot");

        await ApplyPolicyAsync(secretRef: null);
        await _f.SnapshotWhereAsync(s => ServedCertificate(s) is null && s.Listeners.Length == 1, "the plain HTTP listener");
        Assert.Empty(_f.Operator.Controller.Secrets.Watched);
        Assert.Empty(_f.Operator.Controller.Secrets.Items);
    }

    [Fact]
    public async Task A_Secret_created_after_the_policy_that_names_it_is_picked_up()
    {
        await ApplyPolicyAsync("late-tls");
        await Eventually.True(() => _f.Operator.Controller.Secrets.Watched.Contains("default/late-tls"), "the watch on the named Secret");
        var data = TlsData("late.test");
        await PutSecretAsync("late-tls", data);
        await _f.SnapshotWhereAsync(s => ServedCertificate(s) == Encoding.ASCII.GetString(data["tls.crt"]), "the listener with the late Secret's certificate");
    }
}
