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

    [Theory]
    [InlineData("http://web.shop.svc.cluster.local$request_uri", "shop/ingress:m-mirror-web-80", "10.0.0.1:8080")]
    [InlineData("http://web.shop.svc:80/$request_uri", "shop/ingress:m-mirror-web-80", "10.0.0.1:8080")]
    [InlineData("http://web.shop$request_uri", "shop/ingress:m-mirror-web-80", "10.0.0.1:8080")]
    [InlineData("http://web$request_uri", "shop/ingress:m-mirror-web-80", "10.0.0.1:8080")]
    [InlineData("http://web.other.svc.cluster.local$request_uri", "shop/ingress:m-mirror-web.other.svc.cluster.local-80", "web.other.svc.cluster.local:80")]
    [InlineData("https://test.env.com/$request_uri", "shop/ingress:m-mirror-test.env.com-443", "test.env.com:443")]
    [InlineData("http://[2001:db8::1]:8080/$request_uri", "shop/ingress:m-mirror-2001-db8--1-8080", "2001:db8::1:8080")]
    public void Mirror_target_copies_every_request_to_the_Service_its_host_names_or_else_to_its_address(string target, string pool, string endpoint)
    {
        var result = Compile([Class("ballast", IngressClassSelector.Controller, isDefault: true),
            Ingress("m", "m.example.com", annotations: new() { ["nginx.ingress.kubernetes.io/mirror-target"] = target })]);
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == Severity.Error);
        var route = Assert.Single(result.Snapshot.Listeners.SelectMany(l => l.Routes));
        Assert.Equal(new Snapshots.MirrorSnapshot(pool, 100, 100), Assert.Single(route.Mirrors));
        var mirror = result.Snapshot.Pools.Single(p => p.Id == pool);
        Assert.Equal(target.StartsWith("https", StringComparison.Ordinal), mirror.Tls is not null);
        Assert.Equal(endpoint, string.Join(",", mirror.Endpoints.Select(e => $"{e.Host}:{e.Port}"))); // the Service's endpoints, or the address
    }

    [Theory]
    [InlineData("mirror-target", "ftp://shadow/x", "\"ftp://shadow/x\" is not an http:// or https:// URL")]
    [InlineData("mirror-request-body", "maybe", "\"maybe\" is not on or off")]
    public void A_malformed_mirror_annotation_is_an_error_naming_it(string annotation, string value, string message)
    {
        var annotations = new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/mirror-target"] = "http://web$request_uri", ["nginx.ingress.kubernetes.io/" + annotation] = value };
        var result = Compile([Class("ballast", IngressClassSelector.Controller, isDefault: true), Ingress("m", "m.example.com", annotations: annotations)]);
        var error = Assert.Single(result.Diagnostics, d => d.Severity == Severity.Error);
        Assert.Equal(($"metadata.annotations[\"nginx.ingress.kubernetes.io/{annotation}\"]", message), (error.FieldPath, error.Message));
    }

    [Fact]
    public void A_mirror_Service_that_does_not_exist_is_named_on_the_Ingress()
    {
        var result = Compile([Class("ballast", IngressClassSelector.Controller, isDefault: true),
            Ingress("m", "m.example.com", annotations: new() { ["nginx.ingress.kubernetes.io/mirror-target"] = "http://shadow.shop.svc.cluster.local$request_uri" })]);
        var resolved = result.Statuses[new ResourceKey("Ingress", "shop", "m")].Conditions.Single(c => c.Type == ConditionTypes.ResolvedRefs);
        Assert.Equal((ConditionStatus.False, "ServiceNotFound"), (resolved.Status, resolved.Reason));
        Assert.Contains("metadata.annotations[\"nginx.ingress.kubernetes.io/mirror-target\"]: Service \"shadow\" not found in namespace \"shop\"", resolved.Message);
        Assert.Equal(["m.example.com"], Hosts(result)); // served; its copies have nowhere to go (counted as no_endpoint)
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
