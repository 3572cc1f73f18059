using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Ingresses;
using Ballast.Model.Resources;

namespace Ballast.Model.Tests.Ingresses;

/// <summary>What the operator tells on an Ingress (events, the unsupported-annotation metric), read from a compile result.</summary>
public sealed class IngressEventsTests
{
    private static Ingress Ingress(string name, string service, Dictionary<string, string>? annotations = null) => new()
    {
        Metadata = new ResourceMetadata { Name = name, Namespace = "shop", Annotations = annotations },
        Spec = new IngressSpec
        {
            IngressClassName = "ballast",
            Rules = [new IngressRule { Host = name + ".example.com", Http = new HttpIngressRuleValue { Paths = [new HttpIngressPath { Path = "/", PathType = "Prefix",
                Backend = new IngressBackend { Service = new IngressServiceBackend { Name = service, Port = new ServiceBackendPort { Number = 80 } } } }] } }],
        },
    };

    [Fact]
    public void Each_problem_of_a_served_Ingress_is_one_warning_with_its_reason_and_annotations_not_applied_are_the_metrics_series()
    {
        var services = ImmutableDictionary<string, ResolvedService>.Empty
            .Add("shop/web", new ResolvedService("shop", "web", [new ResolvedServicePort(null, 80, [new ResolvedEndpoint("10.0.0.1", 8080, true, true, false)])]));
        var result = Compiler.Compile(new CompilerInput
        {
            Services = services,
            Inputs =
            [
                new IngressClass { Metadata = new ResourceMetadata { Name = "ballast" }, Spec = new IngressClassSpec { Controller = IngressClassSelector.Controller } },
                Ingress("web", "web", new() { ["nginx.ingress.kubernetes.io/server-snippet"] = "return 200;", ["nginx.ingress.kubernetes.io/upstream-vhost"] = "internal" }),
                Ingress("fast", "web", new() { ["nginx.ingress.kubernetes.io/limit-rps"] = "fast" }),
                Ingress("lost", "gone"),
            ],
        });

        var events = IngressEvents.Warnings(result).OrderBy(e => e.Ingress.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(
        [
            ("fast", IngressEvents.InvalidAnnotation, "nginx.ingress.kubernetes.io/limit-rps"),
            ("lost", ConditionReasons.ServiceNotFound, null),
            ("web", IngressEvents.UnsupportedAnnotation, "nginx.ingress.kubernetes.io/server-snippet"),
        ], events.Select(e => (e.Ingress.Name, e.Reason, e.Annotation)));
        Assert.Equal("metadata.annotations[\"nginx.ingress.kubernetes.io/limit-rps\"]: \"fast\" is not a number", events[0].Message);
        Assert.StartsWith("spec.rules[0].http.paths[0].backend.service.name: Service \"gone\" not found", events[1].Message);
        Assert.StartsWith("metadata.annotations[\"nginx.ingress.kubernetes.io/server-snippet\"]: not applied: ", events[2].Message);

        Assert.Equal([("shop/fast", "nginx.ingress.kubernetes.io/limit-rps"), ("shop/web", "nginx.ingress.kubernetes.io/server-snippet")],
            IngressEvents.NotApplied(result));
    }
}
