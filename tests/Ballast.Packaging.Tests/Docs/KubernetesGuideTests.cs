using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ballast.KubeEmulator;
using Ballast.KubeEmulator.Manifests;
using Ballast.Operator;
using Ballast.Packaging.Tests.Support;
using Ballast.Testing;

namespace Ballast.Packaging.Tests.Docs;

/// <summary>
/// Issue 17: the install commands users copy — README's "Install on Kubernetes" and docs/kubernetes.md — taken from
/// the documents themselves: the <c>helm install</c> rendered with the same arguments, applied to the API emulator,
/// the operator run with the configuration the chart gives it, <c>kubectl apply -f samples/kubernetes/</c>, an ingress
/// replica authenticating as the chart sets it up; it ends with every sample policy Programmed=True and, where the
/// document reads it, an address in status.addresses.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class KubernetesGuideTests
{
    /// <summary>The shell lines of a markdown file's <c>```sh</c> blocks (comments cut off).</summary>
    private static List<string> ShellLines(string markdown) =>
        [.. ShellBlock().Matches(markdown).SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Select(l => (l.Contains(" # ", StringComparison.Ordinal) ? l[..l.IndexOf(" # ", StringComparison.Ordinal)] : l).Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))];

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/kubernetes.md")]
    public async Task The_documented_install_rendered_and_applied_to_the_emulator_ends_with_every_sample_policy_Programmed(string document)
    {
        var lines = ShellLines(File.ReadAllText(RepoPaths.Of(document.Split('/'))));
        var install = lines.First(l => l.StartsWith("helm install ballast charts/ballast", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("kubectl apply -f samples/kubernetes/", lines);
        var ns = install[Array.IndexOf(install, "--namespace") + 1];

        // helm install = helm template with the same arguments (minus the ones that only steer the install).
        string[] template = ["template", .. install.Skip(2).Where(a => a is not ("--wait" or "--create-namespace"))];
        var rendered = Yaml.Documents((await Support.Helm.RunAsync(template)).EnsureSuccess(string.Join(' ', template)).Stdout);
        await using var api = await KubeApiEmulator.StartAsync();
        var dir = Directory.CreateTempSubdirectory("ballast-guide-").FullName;
        try
        {
            await KubectlApply.ApplyAsync(api, [Yaml.Single($"apiVersion: v1\nkind: Namespace\nmetadata: {{ name: {ns} }}")]);
            var served = rendered.Where(o => ResourceType.Defaults.Any(t => t.ApiVersion == o["apiVersion"]!.GetValue<string>() && t.Kind == o["kind"]!.GetValue<string>())).ToList();
            // What the emulator does not model is RBAC, ServiceAccounts and disruption budgets (checked elsewhere), nothing the flow needs.
            Assert.All(rendered.Except(served), o => Assert.Contains(o["kind"]!.GetValue<string>(),
                new[] { "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "PodDisruptionBudget" }));
            await KubectlApply.ApplyAsync(api, served);

            // The operator as the chart's Deployment configures it (its env and args), pointed at the emulator.
            var opContainer = rendered.Only("Deployment", "-operator")["spec"]!["template"]!["spec"]!["containers"]![0]!;
            var env = opContainer["env"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]?.GetValue<string>()
                ?? e["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>() switch { "metadata.namespace" => ns, "metadata.name" => "ballast-operator-0", _ => "127.0.0.1" });
            var (settings, error) = OperatorCommandLine.Parse([.. opContainer["args"]!.AsArray().Select(a => a!.GetValue<string>())], n => env.GetValueOrDefault(n));
            Assert.True(settings is not null, error);
            await using var op = await OperatorHost.StartAsync(settings!.Options with
            {
                Kubeconfig = api.WriteKubeconfig(Path.Combine(dir, "kubeconfig")),
                SnapshotListen = new IPEndPoint(IPAddress.Loopback, 0),
                MetricsListen = null,
                AdvertiseUri = null,
                PollWait = TimeSpan.FromSeconds(1),
                RetryPeriod = TimeSpan.FromMilliseconds(200),
            });

            // kubectl apply -f samples/kubernetes/, and what the cluster's controllers would add: EndpointSlices.
            var samples = Directory.GetFiles(RepoPaths.Of("samples", "kubernetes"), "*.yaml").Order(StringComparer.Ordinal).SelectMany(f => Yaml.Documents(File.ReadAllText(f))).ToList();
            await KubectlApply.ApplyAsync(api, samples);
            var i = 0;
            foreach (var svc in samples.Where(o => o["kind"]!.GetValue<string>() == "Service"))
                await KubectlApply.ApplyAsync(api, [JsonNode.Parse($$$"""
                    {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
                     "metadata":{"name":"{{{svc["metadata"]!["name"]}}}-abc","namespace":"{{{svc["metadata"]!["namespace"]}}}","labels":{"kubernetes.io/service-name":"{{{svc["metadata"]!["name"]}}}"}},
                     "addressType":"IPv4","ports":[{"name":"http","port":8080}],
                     "endpoints":[{"addresses":["10.0.0.{{{++i}}}"],"conditions":{"ready":true,"serving":true,"terminating":false}}]}
                    """)!.AsObject()]);

            // An ingress replica, as the chart runs it: its projected token (the ServiceAccount and audience the chart names).
            var ingressPod = rendered.Only("Deployment", "-ingress")["spec"]!["template"]!["spec"]!;
            var projected = ingressPod["volumes"]!.AsArray().Select(v => v!["projected"]?["sources"]?[0]?["serviceAccountToken"]).Single(p => p is not null)!;
            var token = api.Tokens.Issue(ns, ingressPod["serviceAccountName"]!.GetValue<string>(), projected["audience"]!.GetValue<string>(),
                TimeSpan.FromSeconds(projected["expirationSeconds"]!.GetValue<long>()));
            using var http = new HttpClient { BaseAddress = op.SnapshotUri };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var policies = samples.Where(o => o["kind"]!.GetValue<string>() == "LoadBalancerPolicy").ToList();
            Assert.NotEmpty(policies);
            await Eventually.GetAsync(async () =>
            {
                // Poll and report as a replica does, until the operator's newest snapshot holds every sample and they say Programmed.
                using var poll = await http.GetAsync("/v1/snapshot?after=0&replica=ballast-ingress-0");
                if (poll.StatusCode == HttpStatusCode.NotModified) return ["no snapshot yet"];
                var snapshot = JsonNode.Parse(await poll.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!;
                (await http.PostAsJsonAsync("/v1/replicas/ballast-ingress-0", new { version = snapshot["version"]!.GetValue<long>() })).EnsureSuccessStatusCode();
                var states = new List<string>();
                foreach (var p in policies)
                    states.Add(Condition(await GetAsync(api, p), "Programmed") ?? "none");
                return states;
            }, s => s.All(x => x == "True"), $"every sample policy Programmed=True after `{string.Join(' ', install)}`", within: TimeSpan.FromSeconds(30), every: TimeSpan.FromMilliseconds(200));

            // Find the address: what the cluster would give the ingress (node addresses for a NodePort Service, else the load balancer's).
            if (lines.FirstOrDefault(l => l.Contains("{.status.addresses[0].value}", StringComparison.Ordinal)) is { } lookup)
            {
                var nodePort = rendered.Only("Service", "-ingress")["spec"]!["type"]!.GetValue<string>() == "NodePort";
                if (nodePort)
                {
                    // The kubelet registers its node, then reports its addresses through /status.
                    await KubectlApply.ApplyAsync(api, [JsonNode.Parse("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"ballast-control-plane"}}""")!.AsObject()]);
                    using var kubelet = new HttpClient { BaseAddress = api.BaseUri };
                    kubelet.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token);
                    (await kubelet.PatchAsync("/api/v1/nodes/ballast-control-plane/status", new StringContent(
                        """{"status":{"addresses":[{"type":"InternalIP","address":"172.18.0.2"}]}}""", System.Text.Encoding.UTF8, "application/merge-patch+json"))).EnsureSuccessStatusCode();
                }
                var policyName = Regex.Match(lookup, @"loadbalancerpolicy (\S+) -n (\S+)");
                Assert.True(policyName.Success, lookup);
                var policy = policies.Single(p => p["metadata"]!["name"]!.GetValue<string>() == policyName.Groups[1].Value && p["metadata"]!["namespace"]!.GetValue<string>() == policyName.Groups[2].Value);
                var address = await Eventually.GetAsync(async () => (await GetAsync(api, policy))["status"]?["addresses"]?[0]?["value"]?.GetValue<string>() ?? "",
                    a => a.Length > 0, "an address in status.addresses");
                if (nodePort) Assert.Equal("172.18.0.2", address);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static string? Condition(JsonObject obj, string type) =>
        obj["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c!["type"]!.GetValue<string>() == type)?["status"]?.GetValue<string>();

    private static async Task<JsonObject> GetAsync(KubeApiEmulator api, JsonObject resource)
    {
        using var http = new HttpClient { BaseAddress = api.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.Token);
        var meta = resource["metadata"]!;
        return JsonNode.Parse(await http.GetStringAsync($"/apis/ballast.dev/v1alpha1/namespaces/{meta["namespace"]}/loadbalancerpolicies/{meta["name"]}"))!.AsObject();
    }
}
