using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Acme.Tests.Support;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Sources;
using Ballast.KubeEmulator;
using Ballast.Operator;
using Ballast.Operator.Certificates;
using Ballast.Testing;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Ballast.Acme.Tests.Certificates;

/// <summary>
/// Issue 8's ACME proof in a cluster: the operator's leader (against the API emulator) runs the manager, the token
/// travels in the snapshot to a real ingress replica whose HTTP listener Pebble's VA fetches it from, the policy's
/// status says CertificateReady, and the replica's HTTPS listener serves the certificate kept in a Secret.
/// </summary>
[Collection(StandalonePebbleCollection.Name)]
[Trait("Category", "Integration")]
public sealed class OperatorAcmeTests(StandalonePebble pebble, ITestOutputHelper output)
{
    private const string Token = "replica-secret";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_unreachable_replica_makes_CertificateReady_False_with_pebbles_error_then_a_retry_issues_and_every_replica_serves_it()
    {
        var hostname = $"k{Guid.NewGuid():N}"[..12] + ".ballast.test";
        await pebble.Pebble.AddARecordAsync(hostname);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var root = Directory.CreateTempSubdirectory("ballast-operator-acme-").FullName;
        await using var api = await KubeApiEmulator.StartAsync();
        var kubeconfig = api.WriteKubeconfig(Path.Combine(root, "kubeconfig"));
        using var kube = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await using var backend = await TestBackend.StartAsync("web");
        await using var op = await OperatorHost.StartAsync(new OperatorOptions
        {
            Kubeconfig = kubeconfig,
            Identity = "op-1",
            SnapshotListen = new IPEndPoint(IPAddress.Loopback, 0),
            SnapshotToken = Token,
            PollWait = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
            LeaseDuration = TimeSpan.FromSeconds(3),
            Acme = new OperatorAcmeOptions { Http = pebble.Pebble.Http, ManagerTime = clock, Client = AcmeHarness.FastPolls, Seed = 8 },
        });
        await using var replica = await IngressHost.StartAsync(new IngressOptions
        {
            AdminPort = 0,
            AdminAddress = IPAddress.Loopback,
            ListenerAddress = IPAddress.Loopback,
        });
        await using var feed = new OperatorSnapshotSource(op.SnapshotUri, Token, "replica-1", Path.Combine(root, "replica"), replica,
            TimeProvider.System, NullLogger.Instance);
        feed.Start();
        var httpsPort = FreePort.Next();
        try
        {
            // The replica's HTTP listener is not where Pebble's VA looks: the challenge fails.
            await kube.CustomObjects.CreateNamespacedCustomObjectAsync(Pool(backend), "ballast.dev", "v1alpha1", "default", "backendpools");
            await kube.CustomObjects.CreateNamespacedCustomObjectAsync(Policy(FreePort.Next(), httpsPort, hostname), "ballast.dev", "v1alpha1", "default", "loadbalancerpolicies");

            var failed = await WaitForConditionAsync(kube, c => c["status"]?.GetValue<string>() == "False" && c["reason"]?.GetValue<string>() == "Failed");
            var message = failed["message"]!.GetValue<string>();
            output.WriteLine(message);
            Assert.Contains("urn:ietf:params:acme:error:connection", message);
            Assert.Contains(hostname, message);
            Assert.Contains("connection refused", message, StringComparison.OrdinalIgnoreCase);

            // Fix the policy (HTTP listener on Pebble's httpPort) and let the back-off pass.
            var policy = await GetPolicyAsync(kube);
            var fixedPolicy = Policy(pebble.HttpPort, httpsPort, hostname);
            fixedPolicy["metadata"]!["resourceVersion"] = policy["metadata"]!["resourceVersion"]!.GetValue<string>();
            await kube.CustomObjects.ReplaceNamespacedCustomObjectAsync(fixedPolicy, "ballast.dev", "v1alpha1", "default", "loadbalancerpolicies", "site");
            Assert.True(await StandaloneIngress.EventuallyAsync(() => Task.FromResult(
                replica.CurrentSnapshot.Listeners.Any(l => l.Port == pebble.HttpPort) && replica.ListenersMatch()), Deadline), "replica runs the fixed policy");
            var waiting = op.Certificates.Supervisor.Statuses.Single().Certificate;
            Assert.False(waiting.Ready);
            clock.SetUtcNow(waiting.NextAttemptAt!.Value);

            var ready = await WaitForConditionAsync(kube, c => c["status"]?.GetValue<string>() == "True");
            output.WriteLine(ready["message"]!.GetValue<string>());
            var status = (await GetPolicyAsync(kube))["status"]!;
            var certificate = status["certificates"]!.AsArray().Single()!;
            Assert.Equal(hostname, certificate["host"]!.GetValue<string>());
            var issued = op.Certificates.Supervisor.Statuses.Single().Certificate;
            Assert.Equal(issued.NotAfter, certificate["notAfter"]!.GetValue<DateTimeOffset>());
            Assert.Contains($"Attempting to validate w/ HTTP: http://{hostname}:{pebble.HttpPort}/.well-known/acme-challenge/", pebble.Pebble.Logs);

            // Kept in a kubernetes.io/tls Secret; the account key in its own Secret.
            var secret = await kube.CoreV1.ReadNamespacedSecretAsync("ballast-acme-site-https", "default");
            Assert.Equal("kubernetes.io/tls", secret.Type);
            Assert.Contains("BEGIN CERTIFICATE", System.Text.Encoding.UTF8.GetString(secret.Data["tls.crt"]));
            Assert.True((await kube.CoreV1.ReadNamespacedSecretAsync(SecretAccountKeys.DefaultSecretName, "default")).Data.ContainsKey(SecretAccountKeys.KeyEntry));

            // The replica serves it on its HTTPS listener (the certificate came in the snapshot).
            using var pebbleRoot = await pebble.Pebble.GetRootAsync();
            Assert.True(await StandaloneIngress.EventuallyAsync(async () =>
            {
                try
                {
                    using var served = await TlsProbe.ServedCertificateAsync(httpsPort, hostname, pebbleRoot);
                    return served.SerialNumber == issued.SerialNumber;
                }
                catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or System.Net.Sockets.SocketException)
                {
                    return false;
                }
            }, Deadline), "the replica serves the issued certificate");
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<JsonObject> GetPolicyAsync(Kubernetes kube) =>
        JsonNode.Parse(((JsonElement)await kube.CustomObjects.GetNamespacedCustomObjectAsync("ballast.dev", "v1alpha1", "default", "loadbalancerpolicies", "site")).GetRawText())!.AsObject();

    private static async Task<JsonObject> WaitForConditionAsync(Kubernetes kube, Func<JsonObject, bool> done)
    {
        JsonObject? found = null;
        var ok = await StandaloneIngress.EventuallyAsync(async () =>
        {
            var policy = await GetPolicyAsync(kube);
            found = policy["status"]?["conditions"]?.AsArray().Select(c => c!.AsObject()).FirstOrDefault(c => c["type"]!.GetValue<string>() == "CertificateReady");
            return found is not null && done(found);
        }, Deadline);
        Assert.True(ok, $"CertificateReady: {found?.ToJsonString()}");
        return found!;
    }

    private static JsonObject Pool(TestBackend backend) => new()
    {
        ["apiVersion"] = "ballast.dev/v1alpha1",
        ["kind"] = "BackendPool",
        ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default" },
        ["spec"] = new JsonObject { ["endpoints"] = new JsonArray(new JsonObject { ["address"] = backend.Address }) },
    };

    private JsonObject Policy(int httpPort, int httpsPort, string hostname) => new()
    {
        ["apiVersion"] = "ballast.dev/v1alpha1",
        ["kind"] = "LoadBalancerPolicy",
        ["metadata"] = new JsonObject { ["name"] = "site", ["namespace"] = "default" },
        ["spec"] = new JsonObject
        {
            ["listeners"] = new JsonArray(
                new JsonObject { ["name"] = "http", ["port"] = httpPort, ["protocol"] = "HTTP" },
                new JsonObject
                {
                    ["name"] = "https",
                    ["port"] = httpsPort,
                    ["protocol"] = "HTTPS",
                    ["hostnames"] = new JsonArray(hostname),
                    ["tls"] = new JsonObject { ["acme"] = new JsonObject { ["directory"] = pebble.Pebble.DirectoryUrl.ToString(), ["email"] = "ops@ballast.test" } },
                }),
            ["routes"] = new JsonArray(new JsonObject
            {
                ["name"] = "all",
                ["match"] = new JsonObject { ["pathPrefix"] = "/" },
                ["backends"] = new JsonArray(new JsonObject { ["pool"] = "web" }),
            }),
        },
    };
}
