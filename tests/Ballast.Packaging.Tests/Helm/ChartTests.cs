using System.Text.Json.Nodes;
using Ballast.Packaging.Tests.Support;
using Ballast.Testing;
using k8s;
using k8s.Models;

namespace Ballast.Packaging.Tests.Helm;

[Trait("Category", "Integration")]
public sealed class ChartTests
{
    [Theory]
    [MemberData(nameof(ChartOptions.All), MemberType = typeof(ChartOptions))]
    public async Task Helm_lint_passes(string option, string[] sets)
    {
        var result = await Support.Helm.RunAsync(["lint", "--strict", Support.Helm.Chart, .. sets.SelectMany(s => new[] { "--set", s })]);
        Assert.True(result.ExitCode == 0, $"{option}: helm lint failed:\n{result.Output}");
    }

    [Theory]
    [MemberData(nameof(ChartOptions.All), MemberType = typeof(ChartOptions))]
    public async Task Helm_template_renders_objects_that_parse_as_Kubernetes_objects(string option, string[] sets)
    {
        var result = (await Support.Helm.TemplateRawAsync(sets)).EnsureSuccess($"helm template ({option})");
        var objects = KubernetesObjects.ParseAll(result.Stdout);
        Assert.Contains(objects, o => o.Kind == "CustomResourceDefinition");
        Assert.Contains(objects, o => o.Value is V1Deployment d && d.Metadata.Name.EndsWith("-operator", StringComparison.Ordinal));
        Assert.Contains(objects, o => o.Value is V1Deployment or V1DaemonSet && ((IKubernetesObject<V1ObjectMeta>)o.Value).Metadata.Name.EndsWith("-ingress", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_misspelled_value_fails_helm_template_naming_the_field()
    {
        var result = await Support.Helm.TemplateRawAsync("ingress.replicaz=3");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("replicaz", result.Stderr);

        var nested = await Support.Helm.TemplateRawAsync("metrics.serviceMonitor.enabeld=true");
        Assert.NotEqual(0, nested.ExitCode);
        Assert.Contains("enabeld", nested.Stderr);

        var badEnum = await Support.Helm.TemplateRawAsync("ingress.kind=Daemonset");
        Assert.NotEqual(0, badEnum.ExitCode);
        Assert.Contains("/ingress/kind", badEnum.Stderr);
    }

    [Fact]
    public async Task The_gateway_api_CRDs_are_installed_only_when_asked_and_are_the_files_in_config_crds()
    {
        var expected = Directory.GetFiles(RepoPaths.Of("config", "crds", "gateway-api"), "*.yaml").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(8, expected.Length);
        foreach (var name in expected)
            Assert.True(File.ReadAllText(RepoPaths.Of("config", "crds", "gateway-api", name!)) == File.ReadAllText(RepoPaths.Of("charts", "ballast", "files", "gateway-api", name!)),
                $"charts/ballast/files/gateway-api/{name} differs from config/crds/gateway-api/{name}: copy them into the chart");

        var ballastOnly = (await Support.Helm.TemplateAsync()).OfKind("CustomResourceDefinition").Count();
        var withGatewayApi = (await Support.Helm.TemplateAsync("gatewayApi.installCrds=true")).OfKind("CustomResourceDefinition")
            .Select(c => c["spec"]!["names"]!["kind"]!.GetValue<string>()).ToList();
        Assert.Equal(ballastOnly + 8, withGatewayApi.Count);
        Assert.Contains("HTTPRoute", withGatewayApi);
        Assert.Contains("UDPRoute", withGatewayApi);
    }

    [Fact]
    public async Task The_chart_CRDs_are_the_files_in_config_crds()
    {
        var expected = Directory.GetFiles(RepoPaths.Of("config", "crds"), "*.yaml").Select(Path.GetFileName).Order().ToArray();
        var actual = Directory.GetFiles(RepoPaths.Of("charts", "ballast", "crds"), "*.yaml").Select(Path.GetFileName).Order().ToArray();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
        foreach (var name in expected)
            Assert.True(File.ReadAllText(RepoPaths.Of("config", "crds", name!)) == File.ReadAllText(RepoPaths.Of("charts", "ballast", "crds", name!)),
                $"charts/ballast/crds/{name} differs from config/crds/{name}: copy config/crds/*.yaml into the chart");

        // And helm ships them: --include-crds renders exactly these documents.
        var rendered = await Support.Helm.TemplateAsync();
        Assert.Equal(expected.Length, rendered.OfKind("CustomResourceDefinition").Count());
    }

    [Fact]
    public async Task Defaults_run_two_leader_electing_operators_and_three_ingress_replicas_behind_a_LoadBalancer()
    {
        var docs = await Support.Helm.TemplateAsync();
        var op = docs.Only("Deployment", "-operator");
        Assert.Equal(2, op["spec"]!["replicas"]!.GetValue<long>());
        var opContainer = op["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("/app/ballast-operator", opContainer["command"]![0]!.GetValue<string>());
        Assert.Contains(opContainer["env"]!.AsArray(), e => e!["name"]!.GetValue<string>() == "POD_NAMESPACE"); // the Lease's namespace
        var ingress = docs.Only("Deployment", "-ingress");
        Assert.Equal(3, ingress["spec"]!["replicas"]!.GetValue<long>());
        var svc = docs.Only("Service", "-ingress");
        Assert.Equal("LoadBalancer", svc["spec"]!["type"]!.GetValue<string>());
        Assert.Equal(2, docs.OfKind("PodDisruptionBudget").Count());
        Assert.Empty(docs.OfKind("NetworkPolicy"));
        Assert.Empty(docs.OfKind("ServiceMonitor"));

        var daemon = await Support.Helm.TemplateAsync("ingress.kind=DaemonSet", "ingress.service.type=NodePort");
        Assert.Single(daemon.OfKind("DaemonSet"));
        Assert.Single(daemon.OfKind("Deployment")); // only the operator's
        Assert.Equal("NodePort", daemon.Only("Service", "-ingress")["spec"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_container_is_non_root_read_only_without_capabilities_under_RuntimeDefault_seccomp_with_probes()
    {
        foreach (var kind in new[] { "Deployment", "DaemonSet" })
        {
            var docs = await Support.Helm.TemplateAsync($"ingress.kind={kind}");
            foreach (var workload in docs.Where(d => d["kind"]!.GetValue<string>() is "Deployment" or "DaemonSet"))
            {
                var name = workload["metadata"]!["name"]!.GetValue<string>();
                var pod = workload["spec"]!["template"]!["spec"]!;
                Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>(), name);
                Assert.True(pod["securityContext"]!["runAsUser"]!.GetValue<long>() > 0, name);
                Assert.Equal("RuntimeDefault", pod["securityContext"]!["seccompProfile"]!["type"]!.GetValue<string>());
                foreach (var container in pod["containers"]!.AsArray())
                {
                    var sc = container!["securityContext"]!;
                    Assert.True(sc["readOnlyRootFilesystem"]!.GetValue<bool>(), name);
                    Assert.False(sc["allowPrivilegeEscalation"]!.GetValue<bool>(), name);
                    Assert.Equal(["ALL"], sc["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()));
                    Assert.Null(sc["capabilities"]!["add"]);
                    Assert.Equal("/healthz", container["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
                    Assert.Equal("/readyz", container["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
                    Assert.NotNull(container["resources"]!["requests"]);
                }
            }
        }
    }

    [Fact]
    public async Task The_Redis_address_reaches_the_ingress_as_an_argument_and_its_password_as_the_variable_it_reads()
    {
        var docs = await Support.Helm.TemplateAsync("ingress.redis.address=redis.cache.svc:6379", "ingress.redis.existingSecret=redis-auth");
        var container = docs.Only("Deployment", "-ingress")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var args = container["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal("redis.cache.svc:6379", args[args.IndexOf("--redis") + 1]);
        var env = container["env"]!.AsArray();
        Assert.Contains(env, e => e!["name"]!.GetValue<string>() == Ballast.Ingress.Redis.RedisOptions.PasswordVariable
            && e["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>() == "redis-auth");

        var none = (await Support.Helm.TemplateAsync()).Only("Deployment", "-ingress")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.DoesNotContain(none["env"]!.AsArray(), e => e!["name"]!.GetValue<string>().Contains("REDIS", StringComparison.Ordinal));
        Assert.DoesNotContain("--redis", none["args"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task Secret_writes_are_granted_only_when_ACME_is_enabled()
    {
        static IEnumerable<string> SecretVerbs(JsonObject role) =>
            from rule in role["rules"]!.AsArray()
            where rule!["resources"]!.AsArray().Any(r => r!.GetValue<string>() == "secrets")
            from v in rule["verbs"]!.AsArray()
            select v!.GetValue<string>();

        var byDefault = SecretVerbs((await Support.Helm.TemplateAsync()).Only("ClusterRole", "-operator")).Order().ToList();
        Assert.Equal(["list", "watch"], byDefault);
        // The certificate store reads (get), creates and replaces (update) its Secrets: src/Operator/Certificates.
        var withAcme = SecretVerbs((await Support.Helm.TemplateAsync("operator.acme.enabled=true")).Only("ClusterRole", "-operator")).Order().ToList();
        Assert.Equal(["create", "get", "list", "update", "watch"], withAcme);
    }

    [Fact]
    public async Task The_PrometheusRule_in_the_chart_equals_the_plain_rules_file()
    {
        var docs = await Support.Helm.TemplateAsync("metrics.prometheusRule.enabled=true");
        var chartGroups = docs.Only("PrometheusRule")["spec"]!;
        var fileGroups = Support.Yaml.Single(File.ReadAllText(RepoPaths.Of("config", "prometheus", "ballast-rules.yaml")));
        Assert.True(JsonNode.DeepEquals(chartGroups, fileGroups),
            "config/prometheus/ballast-rules.yaml differs from the chart's PrometheusRule with default values; re-render it (see the file's header)");
    }
}
