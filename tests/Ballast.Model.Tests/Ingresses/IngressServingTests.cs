using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Ingresses;
using Ballast.Model.Resources;
using Ballast.Model.Yaml;

namespace Ballast.Model.Tests.Ingresses;

/// <summary>Ingresses compiled into the snapshot: class selection, bad input, port reservation, status.</summary>
public sealed class IngressServingTests
{
    private static Ingress Ingress(string name, string host, string service = "web", Dictionary<string, string>? annotations = null, string? className = null) => new()
    {
        Metadata = new ResourceMetadata { Name = name, Namespace = "shop", Annotations = annotations },
        Spec = new IngressSpec
        {
            IngressClassName = className,
            Rules = [new IngressRule { Host = host, Http = new HttpIngressRuleValue { Paths = [new HttpIngressPath { Path = "/", PathType = "Prefix",
                Backend = new IngressBackend { Service = new IngressServiceBackend { Name = service, Port = new ServiceBackendPort { Number = 80 } } } }] } }],
        },
    };

    private static IngressClass Class(string name, string controller, bool isDefault = false) => new()
    {
        Metadata = new ResourceMetadata { Name = name, Annotations = isDefault ? new() { [IngressClass.DefaultClassAnnotation] = "true" } : null },
        Spec = new IngressClassSpec { Controller = controller },
    };

    private static readonly ImmutableDictionary<string, ResolvedService> Services = ImmutableDictionary<string, ResolvedService>.Empty
        .Add("shop/web", new ResolvedService("shop", "web", [new ResolvedServicePort(null, 80, [new ResolvedEndpoint("10.0.0.1", 8080, true, true, false)])]));

    private static CompileResult Compile(IEnumerable<Resource> inputs, IReadOnlyList<LoadBalancerPolicy>? policies = null, IReadOnlyList<BackendPool>? pools = null) =>
        Compiler.Compile(new CompilerInput { Inputs = [.. inputs], Policies = policies ?? [], Pools = pools ?? [], Services = Services, Ingress = new IngressServing(8080, 8443) });

    private static IEnumerable<string> Hosts(CompileResult r) => r.Snapshot.Listeners.SelectMany(l => l.Routes).SelectMany(x => x.Match.Hosts).Distinct();

    [Fact]
    public void IngressClass_selection_decides_what_is_served()
    {
        var result = Compile([
            Class("ballast", IngressClassSelector.Controller), Class("nginx", "k8s.io/ingress-nginx", isDefault: true),
            Ingress("ours", "ours.example.com", className: "ballast"),
            Ingress("theirs", "theirs.example.com", className: "nginx"),
            Ingress("legacy", "legacy.example.com", annotations: new() { [IngressClassSelector.LegacyClassAnnotation] = "ballast" }),
            Ingress("unclassed", "unclassed.example.com"),
        ]);
        Assert.Equal(["legacy.example.com", "ours.example.com"], Hosts(result).Order());

        var ourDefault = Compile([Class("ballast", IngressClassSelector.Controller, isDefault: true), Ingress("unclassed", "unclassed.example.com")]);
        Assert.Equal(["unclassed.example.com"], Hosts(ourDefault));
    }

    [Fact]
    public void A_malformed_annotation_names_the_object_and_the_annotation_and_the_other_Ingresses_keep_serving()
    {
        var result = Compile([
            Class("ballast", IngressClassSelector.Controller, isDefault: true),
            Ingress("fast", "fast.example.com", annotations: new() { ["nginx.ingress.kubernetes.io/limit-rps"] = "fast" }),
            Ingress("fine", "fine.example.com"),
        ]);
        var error = Assert.Single(result.Diagnostics, d => d.Severity == Severity.Error);
        Assert.Equal("Ingress shop/fast: metadata.annotations[\"nginx.ingress.kubernetes.io/limit-rps\"]: \"fast\" is not a number", error.ToString());
        Assert.Equal(["fine.example.com"], Hosts(result));
        var accepted = result.Statuses[new ResourceKey("Ingress", "shop", "fast")].Conditions.Single(c => c.Type == ConditionTypes.Accepted);
        Assert.Equal(ConditionStatus.False, accepted.Status);
    }

    [Fact]
    public void A_missing_Service_is_named_on_its_Ingress_and_the_other_Ingresses_keep_serving()
    {
        var result = Compile([Class("ballast", IngressClassSelector.Controller, isDefault: true), Ingress("lost", "lost.example.com", service: "gone"), Ingress("fine", "fine.example.com")]);
        var resolved = result.Statuses[new ResourceKey("Ingress", "shop", "lost")].Conditions.Single(c => c.Type == ConditionTypes.ResolvedRefs);
        Assert.Equal((ConditionStatus.False, "ServiceNotFound"), (resolved.Status, resolved.Reason));
        Assert.Contains("spec.rules[0].http.paths[0].backend.service.name: Service \"gone\" not found in namespace \"shop\"", resolved.Message);
        Assert.Contains("fine.example.com", Hosts(result));
    }

    [Fact]
    public void An_unsupported_annotation_is_a_warning_and_a_condition_naming_it()
    {
        var result = Compile([Class("ballast", IngressClassSelector.Controller, isDefault: true),
            Ingress("snippet", "s.example.com", annotations: new() { ["nginx.ingress.kubernetes.io/configuration-snippet"] = "deny all;" })]);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(Severity.Warning, warning.Severity);
        Assert.Contains("configuration-snippet", warning.FieldPath);
        var condition = result.Statuses[new ResourceKey("Ingress", "shop", "snippet")].Conditions.Single(c => c.Type == IngressConditions.AnnotationsSupported);
        Assert.Equal((ConditionStatus.False, "UnsupportedAnnotation", "not applied: nginx.ingress.kubernetes.io/configuration-snippet"), (condition.Status, condition.Reason, condition.Message));
        Assert.Equal(["s.example.com"], Hosts(result)); // served all the same
    }

    [Fact]
    public void A_native_listener_on_the_Ingress_port_is_refused_with_a_clear_status()
    {
        var loaded = ResourceLoader.LoadText("""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: api, namespace: shop }
            spec: { endpoints: [ { address: "127.0.0.1:9000" } ] }
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: native, namespace: shop }
            spec:
              listeners: [ { name: web, port: 8080, protocol: HTTP } ]
              routes: [ { match: { hosts: [native.example.com] }, backends: [ { pool: api } ] } ]
            """, "native.yaml");
        var result = Compile([Class("ballast", IngressClassSelector.Controller, isDefault: true), Ingress("web", "ingress.example.com")], loaded.Policies, loaded.Pools);
        var accepted = result.Statuses[new ResourceKey("LoadBalancerPolicy", "shop", "native")].Conditions.Single(c => c.Type == ConditionTypes.Accepted);
        Assert.Equal(ConditionStatus.False, accepted.Status);
        Assert.Contains("port 8080 is reserved for Ingress traffic", accepted.Message);
        Assert.Equal(["ingress.example.com"], Hosts(result));
    }
}
