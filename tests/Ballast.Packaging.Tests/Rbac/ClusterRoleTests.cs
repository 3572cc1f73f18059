using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Ballast.Packaging.Tests.Support;
using Ballast.Testing;

namespace Ballast.Packaging.Tests.Rbac;

/// <summary>
/// Least privilege, checked against reality: the verbs the chart grants are exactly the API calls the operator
/// makes when it runs the samples against the API emulator — nothing it needs is missing, nothing granted is unused.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClusterRoleTests
{
    private sealed record Grant(string Group, string Resource, string Verb)
    {
        public override string ToString() => $"{(Group.Length == 0 ? "core" : Group)} {Resource} {Verb}";
    }

    private static IEnumerable<(Grant Grant, string[] Names)> Grants(JsonObject role) =>
        from rule in role["rules"]!.AsArray()
        from g in rule!["apiGroups"]!.AsArray()
        from r in rule["resources"]!.AsArray()
        from v in rule["verbs"]!.AsArray()
        select (new Grant(g!.GetValue<string>(), r!.GetValue<string>(), v!.GetValue<string>()),
                rule["resourceNames"]?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? []);

    [Fact]
    public async Task The_operator_roles_grant_exactly_the_API_calls_the_operator_makes()
    {
        const string leaseName = "ballast-operator";
        var docs = await Support.Helm.TemplateAsync($"operator.leaderElection.leaseName={leaseName}");
        var role = docs.Only("Role");
        var clusterGrants = docs.OfKind("ClusterRole").SelectMany(Grants).ToList();
        var roleGrants = Grants(role).ToList();
        Assert.DoesNotContain(clusterGrants.Concat(roleGrants), g => g.Grant.Verb == "*" || g.Grant.Resource == "*" || g.Grant.Group == "*");
        var granted = clusterGrants.Concat(roleGrants).Select(g => g.Grant).ToHashSet();

        await using var op = await OperatorInEmulator.StartAsync(leaseNamespace: "default", leaseName: leaseName);
        await op.ApplySamplesAsync();
        await op.ApplyTlsPolicyAsync(); // a referenced Secret, so the operator reads Secrets at all
        await op.ApplyGatewaySamplesAsync(); // a route of every Gateway API kind, so the operator writes each kind's status
        await op.ApplyIngressSamplesAsync(); // an Ingress of ours and the ingress Service's address: the operator writes its status.loadBalancer
        await op.ReplicaAppliesNewestAsync("ingress-0");
        await RejectThenFixThePolicyAsync(op, $"{leaseName}-last-accepted"); // so the leader creates, then updates, its ConfigMap
        // Run until every granted call was seen (each is needed) — or the deadline says one is never used.
        HashSet<Grant> Used() => op.Proxy.Calls.Select(c => new Grant(c.Group, c.Resource, c.Verb)).ToHashSet();
        await Eventually.GetAsync(() => Task.FromResult(Used()), used => used.IsSupersetOf(granted),
            "the operator to use every granted verb (never used: " + string.Join(", ", granted.Except(Used())) + ")",
            within: TimeSpan.FromSeconds(20));

        var used = Used();
        Assert.True(used.SetEquals(granted),
            $"used but not granted: [{string.Join(", ", used.Except(granted))}]; granted but not used: [{string.Join(", ", granted.Except(used))}]");

        Assert.Contains(op.Proxy.Calls, c => c.Resource == "tokenreviews"); // the replica's projected token was reviewed

        // The Role's rules (the Lease, the last-accepted ConfigMap) are namespaced: every such call stays in the
        // operator's namespace, and calls on an existing object name the one object the rule lists. (list/watch name
        // it through fieldSelector=metadata.name, which the recorded path does not show: ListWatchSources.ConfigMap.)
        static bool OwnState(ApiCall c) => c.Group == "coordination.k8s.io" || c.Resource == "configmaps";
        Assert.Contains(op.Proxy.Calls, c => c.Resource == "configmaps");
        foreach (var call in op.Proxy.Calls.Where(OwnState))
        {
            Assert.Equal("default", call.Namespace);
            var rule = roleGrants.Single(g => g.Grant == new Grant(call.Group, call.Resource, call.Verb));
            if (rule.Names.Length > 0 && call.Name is not null) Assert.Contains(call.Name, rule.Names);
        }
        // Secrets are read one by one in their namespace (fieldSelector=metadata.name), never listed cluster-wide.
        var secretCalls = op.Proxy.Calls.Where(c => c.Resource == "secrets").ToList();
        Assert.NotEmpty(secretCalls);
        Assert.All(secretCalls, c => Assert.Equal("shop", c.Namespace));
        // Everything else is cluster-wide (list/watch across namespaces, status and events in each resource's namespace).
        Assert.All(op.Proxy.Calls.Where(c => !OwnState(c)),
            c => Assert.Contains(clusterGrants, g => g.Grant == new Grant(c.Group, c.Resource, c.Verb)));
    }

    [Fact]
    public async Task With_watchNamespaces_every_call_the_operator_makes_is_granted_by_a_Role_in_its_namespace_and_other_namespaces_are_ignored()
    {
        var docs = await Support.Helm.TemplateAsync("rbac.watchNamespaces[0]=shop");
        var roles = docs.OfKind("Role").ToDictionary(r => r["metadata"]!["namespace"]!.GetValue<string>() == "ballast-system" ? "default" : r["metadata"]!["namespace"]!.GetValue<string>(),
            r => Grants(r).Select(g => g.Grant).ToHashSet()); // the release namespace is "default" in this run
        var clusterGrants = docs.OfKind("ClusterRole").SelectMany(Grants).Select(g => g.Grant).ToHashSet();

        await using var op = await OperatorInEmulator.StartAsync(leaseNamespace: "default", watchNamespaces: ["shop"]);
        await op.ApplySamplesAsync();
        await op.ApplyAsync(Yaml.Documents("""
            apiVersion: v1
            kind: Namespace
            metadata: { name: other }
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: elsewhere, namespace: other }
            spec:
              endpoints: [ { address: "10.9.9.9:80" } ]
            """));
        await op.ReplicaAppliesNewestAsync("ingress-0");
        await Eventually.GetAsync(() => op.GetAsync("loadbalancerpolicies", "shop", "shop"),
            p => OperatorInEmulator.Condition(p, "Programmed")?["status"]?.GetValue<string>() == "True", "the sample policy Programmed in the watched namespace");
        Assert.DoesNotContain(op.Operator.Hub.Current.Pools, p => p.Id.StartsWith("other/", StringComparison.Ordinal));
        Assert.Null((await op.GetAsync("backendpools", "other", "elsewhere"))["status"]); // never touched

        foreach (var call in op.Proxy.Calls)
        {
            var grant = new Grant(call.Group, call.Resource, call.Verb);
            if (call.Namespace is null) Assert.True(clusterGrants.Contains(grant), $"{call} across namespaces: only TokenReviews may be");
            else Assert.True(roles.TryGetValue(call.Namespace, out var granted) && granted.Contains(grant), $"{call} in {call.Namespace}: not granted there");
        }
        // Cluster-wide only what is cluster-scoped by nature: TokenReviews, GatewayClasses and IngressClasses.
        Assert.Equal(["gatewayclasses", "ingressclasses", "tokenreviews"], op.Proxy.Calls.Where(c => c.Namespace is null).Select(c => c.Resource).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>An invalid edit of the sample policy (stored as a fallback), then the sample again (the entry removed).</summary>
    private static async Task RejectThenFixThePolicyAsync(OperatorInEmulator op, string configMap)
    {
        await Eventually.GetAsync(() => op.GetAsync("loadbalancerpolicies", "shop", "shop"),
            p => OperatorInEmulator.Condition(p, "Accepted")?["status"]?.GetValue<string>() == "True", "the sample policy accepted");
        var sample = Yaml.Documents(File.ReadAllText(RepoPaths.Of("samples", "kubernetes", "30-policy.yaml"))).Single();
        var invalidRoute = sample["spec"]!["routes"]![0]!.DeepClone();
        invalidRoute["match"] = new JsonObject { ["path"] = "no-leading-slash" }; // the schema takes it, the Compiler refuses it

        using var http = new HttpClient { BaseAddress = op.Api.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", op.Api.Token);
        // A merge patch carries no resourceVersion, so it cannot conflict with the operator's status writes.
        async Task PatchRoutesAsync(JsonNode routes)
        {
            var patch = new JsonObject { ["spec"] = new JsonObject { ["routes"] = routes.DeepClone() } };
            var response = await http.PatchAsync("/apis/ballast.dev/v1alpha1/namespaces/shop/loadbalancerpolicies/shop",
                new StringContent(patch.ToJsonString(), System.Text.Encoding.UTF8, "application/merge-patch+json"));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        async Task<string> Entries()
        {
            var response = await http.GetAsync($"/api/v1/namespaces/default/configmaps/{configMap}");
            return response.StatusCode == HttpStatusCode.NotFound ? "(none)" : JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]?.ToJsonString() ?? "{}";
        }
        await PatchRoutesAsync(new JsonArray(invalidRoute));
        await Eventually.GetAsync(Entries, d => d.Contains("LoadBalancerPolicy.shop.shop"), "the policy's fallback stored");
        await PatchRoutesAsync(sample["spec"]!["routes"]!);
        await Eventually.GetAsync(Entries, d => d == "{}", "the fallback removed once the policy is valid again");
    }

    [Fact]
    public void The_call_classifier_maps_paths_and_methods_to_RBAC_verbs()
    {
        Assert.Equal(new ApiCall("ballast.dev", "backendpools", "watch", null, null),
            RecordingApiProxy.Classify("GET", "/apis/ballast.dev/v1alpha1/backendpools", "true"));
        Assert.Equal(new ApiCall("", "services", "list", null, null), RecordingApiProxy.Classify("GET", "/api/v1/services", ""));
        Assert.Equal(new ApiCall("ballast.dev", "loadbalancerpolicies/status", "update", "shop", "shop"),
            RecordingApiProxy.Classify("PUT", "/apis/ballast.dev/v1alpha1/namespaces/shop/loadbalancerpolicies/shop/status", ""));
        Assert.Equal(new ApiCall("coordination.k8s.io", "leases", "get", "default", "ballast-operator"),
            RecordingApiProxy.Classify("GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases/ballast-operator", ""));
        Assert.Equal(new ApiCall("", "events", "create", "shop", null), RecordingApiProxy.Classify("POST", "/api/v1/namespaces/shop/events", ""));
        Assert.Null(RecordingApiProxy.Classify("GET", "/apis", ""));
    }
}
