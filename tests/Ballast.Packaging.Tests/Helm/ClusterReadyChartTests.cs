using System.Text.Json.Nodes;
using Ballast.Ingress.Hosting;
using Ballast.Operator;
using Ballast.Packaging.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Ballast.Packaging.Tests.Helm;

/// <summary>
/// Issue 17 on the rendered chart: deterministic output (Argo CD renders it on every sync), projected-token auth,
/// probes on the endpoints every replica serves, log levels and addresses the programs really read, namespaced RBAC,
/// the values users ask for, and a packaged chart that renders the same.
/// </summary>
public sealed class ClusterReadyChartTests
{
    private static JsonNode PodSpec(JsonObject workload) => workload["spec"]!["template"]!["spec"]!;
    private static JsonNode Container(JsonObject workload) => PodSpec(workload)["containers"]![0]!;
    private static string[] Args(JsonNode container) => [.. container["args"]!.AsArray().Select(a => a!.GetValue<string>())];

    /// <summary>The container's environment as the kubelet would give it (downward-API fields filled in).</summary>
    private static Dictionary<string, string> Env(JsonNode container) =>
        container["env"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]?.GetValue<string>()
            ?? e["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>() switch
            {
                "metadata.name" => "ballast-operator-7d9c-abcde",
                "metadata.namespace" => "ballast-system",
                "status.podIP" => "10.1.2.3",
                var other => throw new InvalidOperationException("unexpected fieldRef " + other),
            });

    private static OperatorCommandLine.Settings OperatorSettings(List<JsonObject> docs)
    {
        var container = Container(docs.Only("Deployment", "-operator"));
        var env = Env(container);
        var (settings, error) = OperatorCommandLine.Parse(Args(container), name => env.GetValueOrDefault(name));
        Assert.True(settings is not null, error);
        return settings!;
    }

    [Fact]
    public async Task Helm_template_run_twice_gives_byte_identical_output()
    {
        foreach (var sets in new[] { Array.Empty<string>(), ["operator.acme.enabled=true", "networkPolicy.enabled=true", "rbac.watchNamespaces[0]=shop"] })
        {
            var first = (await Support.Helm.TemplateRawAsync(sets)).EnsureSuccess("helm template");
            var second = (await Support.Helm.TemplateRawAsync(sets)).EnsureSuccess("helm template");
            Assert.Equal(first.Stdout, second.Stdout);
        }
        Assert.DoesNotContain("randAlphaNum", string.Concat(Directory.GetFiles(Support.Helm.Chart, "*", SearchOption.AllDirectories).Select(File.ReadAllText)));
    }

    [Fact]
    public async Task Ingress_replicas_present_a_projected_token_the_operator_reviews_for_the_ingress_ServiceAccount()
    {
        var docs = await Support.Helm.TemplateAsync("snapshotAuth.audience=ballast-snapshots", "snapshotAuth.expirationSeconds=1800");
        Assert.Empty(docs.OfKind("Secret")); // nothing generated, nothing shared
        var ingress = docs.Only("Deployment", "-ingress");
        var args = Args(Container(ingress));
        var tokenFile = args[Array.IndexOf(args, "--token-file") + 1];
        var mount = Container(ingress)["volumeMounts"]!.AsArray().Single(m => tokenFile.StartsWith(m!["mountPath"]!.GetValue<string>() + "/", StringComparison.Ordinal))!;
        var volume = PodSpec(ingress)["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == mount["name"]!.GetValue<string>())!;
        var projected = volume["projected"]!["sources"]![0]!["serviceAccountToken"]!;
        Assert.Equal("ballast-snapshots", projected["audience"]!.GetValue<string>());
        Assert.Equal(1800, projected["expirationSeconds"]!.GetValue<long>());
        Assert.Equal(Path.GetFileName(tokenFile), projected["path"]!.GetValue<string>());

        var options = OperatorSettings(docs).Options;
        Assert.Equal($"ballast-system/{PodSpec(ingress)["serviceAccountName"]!.GetValue<string>()}", options.IngressServiceAccount);
        Assert.Equal("ballast-snapshots", options.SnapshotAudience);
        Assert.Equal("", options.SnapshotToken);
        Assert.Equal(new Uri("http://10.1.2.3:8443"), options.AdvertiseUri);
        var cluster = docs.Only("ClusterRole", "-cluster");
        Assert.Contains(cluster["rules"]!.AsArray(), r => r!["resources"]!.AsArray().Any(x => x!.GetValue<string>() == "tokenreviews")
            && r["verbs"]!.AsArray().Select(v => v!.GetValue<string>()).SequenceEqual(["create"]));
    }

    [Fact]
    public async Task Both_operator_probes_hit_the_snapshot_listener_where_every_replica_answers_readyz()
    {
        var operatorPod = docs(await Support.Helm.TemplateAsync("operator.port=9443"));
        static JsonObject docs(List<JsonObject> d) => d.Only("Deployment", "-operator");
        var container = Container(operatorPod);
        var port = container["ports"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "snapshots")!["containerPort"]!.GetValue<long>();
        Assert.Equal(9443, port);
        Assert.Equal("/readyz", container["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("snapshots", container["readinessProbe"]!["httpGet"]!["port"]!.GetValue<string>());
        Assert.Equal("/healthz", container["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("snapshots", container["livenessProbe"]!["httpGet"]!["port"]!.GetValue<string>());
        // The operator serves /readyz and /healthz on its --listen endpoint: the one the named port is.
        var env = Env(container);
        var (settings, error) = OperatorCommandLine.Parse(Args(container), name => env.GetValueOrDefault(name));
        Assert.True(settings is not null, error);
        Assert.Equal(9443, settings!.Options.SnapshotListen.Port);
    }

    [Fact]
    public async Task Log_levels_reach_what_the_operator_and_the_ingress_read()
    {
        var docs = await Support.Helm.TemplateAsync("operator.logLevel=Debug", "ingress.logLevel=Warning");
        Assert.Equal(LogLevel.Debug, OperatorSettings(docs).LogLevel);
        var ingressArgs = Args(Container(docs.Only("Deployment", "-ingress")));
        Assert.Equal("run", ingressArgs[0]);
        Assert.True(RunArguments.TryParse(ingressArgs[1..], out var run, out var error), error);
        Assert.Equal(LogLevel.Warning, run.LogLevel);
        Assert.Equal(LogLevel.Information, OperatorSettings(await Support.Helm.TemplateAsync()).LogLevel);
    }

    [Fact]
    public async Task Tracing_values_reach_what_the_ingress_reads_and_are_off_by_default()
    {
        var docs = await Support.Helm.TemplateAsync("ingress.tracing.endpoint=http://otel-collector.observability.svc:4318",
            "ingress.tracing.sampleRatio=0.05", "ingress.tracing.propagation=b3");
        var ingressArgs = Args(Container(docs.Only("Deployment", "-ingress")));
        Assert.True(RunArguments.TryParse(ingressArgs[1..], _ => null, out var run, out var error), error);
        Assert.Equal(new Uri("http://otel-collector.observability.svc:4318/v1/traces"), run.Tracing!.TracesUrl);
        Assert.Equal(0.05, run.Tracing.SampleRatio);
        Assert.Equal(Ballast.Ingress.Tracing.TracePropagation.B3, run.Tracing.Propagation);
        Assert.Equal("$(POD_NAME)", run.Tracing.ServiceInstance); // the kubelet expands it: each replica is its own instance

        var off = Args(Container((await Support.Helm.TemplateAsync()).Only("Deployment", "-ingress")));
        Assert.True(RunArguments.TryParse(off[1..], _ => null, out var plain, out error), error);
        Assert.Null(plain.Tracing);
    }

    [Fact]
    public async Task Addresses_come_from_the_ingress_Service_its_nodes_with_NodePort_or_the_configured_list()
    {
        var byDefault = OperatorSettings(await Support.Helm.TemplateAsync()).Options.Addresses;
        Assert.Equal("ballast-system/ballast-ingress", byDefault.IngressService);
        Assert.False(byDefault.NodeAddresses);
        var docs = await Support.Helm.TemplateAsync("ingress.service.type=NodePort", "operator.addresses[0]=shop.example.com", "operator.addresses[1]=192.0.2.7");
        var nodePort = OperatorSettings(docs).Options.Addresses;
        Assert.True(nodePort.NodeAddresses);
        Assert.Equal(["shop.example.com", "192.0.2.7"], nodePort.Configured);
        Assert.Contains(docs.Only("ClusterRole", "-cluster")["rules"]!.AsArray(), r => r!["resources"]!.AsArray().Any(x => x!.GetValue<string>() == "nodes"));
    }

    [Fact]
    public async Task Redis_and_the_affinity_keys_reach_the_ingress_replicas_in_operator_mode()
    {
        var docs = await Support.Helm.TemplateAsync("ingress.redis.address=redis.ballast:6379", "ingress.affinityKeys.existingSecret=affinity-keys");
        var ingress = docs.Only("Deployment", "-ingress");
        Assert.True(RunArguments.TryParse(Args(Container(ingress))[1..], out var run, out var error), error);
        Assert.NotNull(run.Operator); // the chart runs replicas in operator mode, where both were once dropped
        Assert.Equal("redis.ballast:6379", CommandLine.HostOptions(run, null).Redis?.Endpoint);
        Assert.Equal("/etc/ballast/affinity-keys/keys", run.AffinityKeyFile);
        var mount = Container(ingress)["volumeMounts"]!.AsArray().Single(m => m!["name"]!.GetValue<string>() == "affinity-keys")!;
        Assert.Equal("/etc/ballast/affinity-keys", mount["mountPath"]!.GetValue<string>());
        var volume = PodSpec(ingress)["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "affinity-keys")!;
        Assert.Equal("affinity-keys", volume["secret"]!["secretName"]!.GetValue<string>());

        var plain = (await Support.Helm.TemplateAsync()).Only("Deployment", "-ingress");
        Assert.True(RunArguments.TryParse(Args(Container(plain))[1..], out var none, out error), error);
        Assert.Null(none.Redis);
        Assert.Null(none.AffinityKeyFile);
    }

    [Fact]
    public async Task Ingresses_are_served_on_the_ingress_pods_http_and_https_ports_with_the_charts_IngressClass()
    {
        var defaults = await Support.Helm.TemplateAsync();
        Assert.Equal(new Ballast.Model.Compilation.IngressServing(8080, 8443), OperatorSettings(defaults).Options.Ingress);
        var ingressClass = defaults.Only("IngressClass");
        Assert.Equal(("ballast", "ballast.dev/ingress-controller"), (ingressClass["metadata"]!["name"]!.GetValue<string>(), ingressClass["spec"]!["controller"]!.GetValue<string>()));
        Assert.Null(ingressClass["metadata"]!["annotations"]);

        var moved = await Support.Helm.TemplateAsync("ingress.ports[0].name=http", "ingress.ports[0].containerPort=9080",
            "ingress.ports[1].name=https", "ingress.ports[1].containerPort=9443", "ingressApi.ingressClass.default=true");
        Assert.Equal(new Ballast.Model.Compilation.IngressServing(9080, 9443), OperatorSettings(moved).Options.Ingress);
        Assert.Equal("true", moved.Only("IngressClass")["metadata"]!["annotations"]!["ingressclass.kubernetes.io/is-default-class"]!.GetValue<string>());

        var off = await Support.Helm.TemplateAsync("ingressApi.enabled=false");
        Assert.Empty(off.OfKind("IngressClass"));
        Assert.DoesNotContain(off.OfKind("ClusterRole").SelectMany(r => r["rules"]!.AsArray()), r => r!["apiGroups"]![0]!.GetValue<string>() == "networking.k8s.io");
    }

    [Fact]
    public async Task Watched_namespaces_get_Roles_with_the_cluster_rules_and_nothing_cluster_wide_but_TokenReview_GatewayClasses_and_IngressClasses()
    {
        var cluster = await Support.Helm.TemplateAsync();
        var clusterRules = cluster.Only("ClusterRole", "-operator")["rules"]!;
        Assert.DoesNotContain(cluster.OfKind("Role"), r => r["metadata"]!["namespace"]!.GetValue<string>() != "ballast-system");

        var scoped = await Support.Helm.TemplateAsync("rbac.watchNamespaces[0]=shop", "rbac.watchNamespaces[1]=web");
        Assert.Equal(["ballast-operator-cluster"], scoped.OfKind("ClusterRole").Select(r => r["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal(["tokenreviews", "gatewayclasses", "gatewayclasses/status", "ingressclasses"], scoped.Only("ClusterRole")["rules"]!.AsArray().SelectMany(r => r!["resources"]!.AsArray()).Select(x => x!.GetValue<string>()));
        Assert.Equal(["ballast-operator-cluster"], scoped.OfKind("ClusterRoleBinding").Select(r => r["metadata"]!["name"]!.GetValue<string>()));
        foreach (var ns in new[] { "shop", "web" })
        {
            var role = scoped.OfKind("Role").Single(r => r["metadata"]!["namespace"]!.GetValue<string>() == ns);
            Assert.True(JsonNode.DeepEquals(clusterRules, role["rules"]), $"the Role in {ns} grants what the ClusterRole would");
            var binding = scoped.OfKind("RoleBinding").Single(r => r["metadata"]!["namespace"]!.GetValue<string>() == ns);
            Assert.Equal(role["metadata"]!["name"]!.GetValue<string>(), binding["roleRef"]!["name"]!.GetValue<string>());
            Assert.Equal("ballast-system", binding["subjects"]![0]!["namespace"]!.GetValue<string>());
        }
        Assert.Equal(["shop", "web"], OperatorSettings(scoped).Options.WatchNamespaces);
        Assert.Empty(OperatorSettings(cluster).Options.WatchNamespaces);
    }

    [Fact]
    public async Task Pod_labels_extra_args_and_env_HPA_and_topology_spread_render_where_they_belong()
    {
        var docs = await Support.Helm.TemplateAsync("operator.podLabels.team=edge", "ingress.podLabels.tier=front",
            "operator.extraArgs[0]=--addresses", "operator.extraArgs[1]=lb.example.com", "ingress.extraArgs[0]=--log-level", "ingress.extraArgs[1]=Error",
            "operator.extraEnv[0].name=DOTNET_GCHeapAffinitizeMask", "operator.extraEnv[0].value=ff",
            "ingress.autoscaling.enabled=true", "ingress.autoscaling.minReplicas=4", "ingress.autoscaling.maxReplicas=12",
            "ingress.topologySpreadConstraints[0].maxSkew=1", "ingress.topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone",
            "ingress.topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway");
        var op = docs.Only("Deployment", "-operator");
        var ingress = docs.Only("Deployment", "-ingress");
        Assert.Equal("edge", op["spec"]!["template"]!["metadata"]!["labels"]!["team"]!.GetValue<string>());
        Assert.Equal("front", ingress["spec"]!["template"]!["metadata"]!["labels"]!["tier"]!.GetValue<string>());
        Assert.Equal(["lb.example.com"], OperatorSettings(docs).Options.Addresses.Configured);
        Assert.Equal("ff", Env(Container(op))["DOTNET_GCHeapAffinitizeMask"]);
        Assert.True(RunArguments.TryParse(Args(Container(ingress))[1..], out var run, out var error), error);
        Assert.Equal(LogLevel.Error, run.LogLevel); // extra arguments come last, so they win
        Assert.Null(ingress["spec"]!["replicas"]); // the HPA owns the count
        var hpa = docs.Only("HorizontalPodAutoscaler");
        Assert.Equal(ingress["metadata"]!["name"]!.GetValue<string>(), hpa["spec"]!["scaleTargetRef"]!["name"]!.GetValue<string>());
        Assert.Equal(4, hpa["spec"]!["minReplicas"]!.GetValue<long>());
        Assert.Equal("topology.kubernetes.io/zone", PodSpec(ingress)["topologySpreadConstraints"]![0]!["topologyKey"]!.GetValue<string>());
        Assert.Empty((await Support.Helm.TemplateAsync()).OfKind("HorizontalPodAutoscaler"));
    }

    [Fact]
    public async Task The_shutdown_grace_is_a_preStop_sleep_before_SIGTERM_and_the_process_then_closes_at_once()
    {
        var docs = await Support.Helm.TemplateAsync("ingress.shutdown.graceSeconds=12", "ingress.shutdown.timeoutSeconds=20");
        var ingress = docs.Only("Deployment", "-ingress");
        Assert.Equal(12, Container(ingress)["lifecycle"]!["preStop"]!["sleep"]!["seconds"]!.GetValue<long>());
        Assert.Null(Container(ingress)["lifecycle"]!["preStop"]!["exec"]); // the image has no shell
        Assert.True(RunArguments.TryParse(Args(Container(ingress))[1..], out var run, out var error), error);
        Assert.Equal(TimeSpan.Zero, run.ShutdownGrace); // the grace has passed before SIGTERM
        Assert.Equal(TimeSpan.FromSeconds(20), run.ShutdownTimeout);
        Assert.Equal(12 + 20 + 5, PodSpec(ingress)["terminationGracePeriodSeconds"]!.GetValue<long>());

        // Off (clusters before 1.30): no hook, and the process waits the grace itself after SIGTERM.
        ingress = (await Support.Helm.TemplateAsync("ingress.shutdown.graceSeconds=12", "ingress.shutdown.preStopSleep=false")).Only("Deployment", "-ingress");
        Assert.Null(Container(ingress)["lifecycle"]);
        Assert.True(RunArguments.TryParse(Args(Container(ingress))[1..], out run, out error), error);
        Assert.Equal(TimeSpan.FromSeconds(12), run.ShutdownGrace);

        // No grace at all: no hook (a zero sleep needs Kubernetes 1.32), no wait.
        ingress = (await Support.Helm.TemplateAsync("ingress.shutdown.graceSeconds=0")).Only("Deployment", "-ingress");
        Assert.Null(Container(ingress)["lifecycle"]);
        Assert.True(RunArguments.TryParse(Args(Container(ingress))[1..], out run, out error), error);
        Assert.Equal(TimeSpan.Zero, run.ShutdownGrace);
    }

    [Fact]
    public async Task Helm_package_produces_an_archive_that_renders_the_same_as_the_chart_folder()
    {
        var dir = Directory.CreateTempSubdirectory("ballast-package-").FullName;
        try
        {
            (await Support.Helm.RunAsync("package", Support.Helm.Chart, "--destination", dir)).EnsureSuccess("helm package");
            var archive = Assert.Single(Directory.GetFiles(dir, "ballast-*.tgz"));
            string[] common = ["--namespace", "ballast-system", "--include-crds", "--set", "rbac.watchNamespaces[0]=shop"];
            var fromArchive = (await Support.Helm.RunAsync(["template", "ballast", archive, .. common])).EnsureSuccess("helm template archive");
            var fromFolder = (await Support.Helm.RunAsync(["template", "ballast", Support.Helm.Chart, .. common])).EnsureSuccess("helm template folder");
            Assert.Equal(fromFolder.Stdout, fromArchive.Stdout);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
