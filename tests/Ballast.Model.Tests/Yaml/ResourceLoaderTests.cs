using Ballast.Model.Resources;
using Ballast.Model.Yaml;

namespace Ballast.Model.Tests.Yaml;

public class ResourceLoaderTests
{
    private static string Errors(LoadResult r) => string.Join("\n", r.Diagnostics);

    [Fact]
    public void Loads_several_documents_of_both_kinds_and_skips_empty_ones()
    {
        var r = ResourceLoader.LoadText("""
            ---
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: a, namespace: shop }
            spec:
              endpoints: [ { address: "10.0.0.1:80", weight: 3 } ]
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: p }
            spec:
              listeners: [ { name: http, port: 80 } ]
            """, "x.yaml");
        Assert.Empty(r.Diagnostics);
        var pool = Assert.Single(r.Pools);
        Assert.Equal("shop", pool.Metadata.Namespace);
        Assert.Equal(3, pool.Spec.Endpoints![0].Weight);
        Assert.Equal(new SourceLocation("x.yaml", 3, 1), pool.Source);
        var policy = Assert.Single(r.Policies);
        Assert.Equal(80, policy.Spec.Listeners![0].Port);
        Assert.Equal("default", policy.NamespaceOrDefault);
    }

    [Fact]
    public void A_string_where_an_integer_belongs_names_file_line_column_and_field()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: a }
            spec:
              endpoints:
                - address: "10.0.0.1:80"
                - address: "10.0.0.2:80"
                  weight: abc
            """, "pool.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("pool.yaml:8:15: BackendPool default/a: spec.endpoints[1].weight: expected an integer, got \"abc\"", d.ToString());
        Assert.Empty(r.Pools);
    }

    [Fact]
    public void An_unknown_field_is_an_error_with_the_closest_known_name()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: a }
            spec:
              endpoints: [ { address: "10.0.0.1:80" } ]
              loadBalancing:
                algoritm: RoundRobin
            """, "pool.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("spec.loadBalancing.algoritm", d.FieldPath);
        Assert.Equal("unknown field (did you mean \"algorithm\"?)", d.Message);
        Assert.Equal(new SourceLocation("pool.yaml", 7, 5), d.Location);
    }

    [Fact]
    public void Unknown_metadata_fields_are_skipped_as_the_API_server_owns_them()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: a, managedFields: [ {} ], ownerReferences: [] }
            spec: { endpoints: [ { address: "10.0.0.1:80" } ] }
            """, "pool.yaml");
        Assert.Empty(r.Diagnostics);
        Assert.Single(r.Pools);
    }

    [Fact]
    public void A_bad_enum_value_lists_the_allowed_values()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: a }
            spec: { endpoints: [ { address: "10.0.0.1:80" } ], protocol: HTTP3 }
            """, "pool.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("spec.protocol", d.FieldPath);
        Assert.Equal("expected one of HTTP1, HTTP2, GRPC, TCP, UDP, got \"HTTP3\"", d.Message);
    }

    [Fact]
    public void A_bad_duration_carries_the_duration_converters_message()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: a }
            spec:
              endpoints: [ { address: "10.0.0.1:80" } ]
              drainTimeout: 30 seconds
            """, "pool.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("spec.drainTimeout", d.FieldPath);
        Assert.StartsWith("invalid duration \"30 seconds\"", d.Message);
        Assert.Equal(6, d.Location!.Line);
    }

    [Fact]
    public void A_number_where_a_string_belongs_asks_to_quote_it()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: a }
            spec:
              endpoints: [ { address: "10.0.0.1:80" } ]
              healthCheck: { active: { http: { path: /h, expectStatus: [ 200, "300" ] } } }
            """, "pool.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("spec.healthCheck.active.http.expectStatus[0]", d.FieldPath);
        Assert.Equal("expected a string, got the number 200 (quote it)", d.Message);
    }

    [Fact]
    public void Quoted_scalars_stay_strings_and_plain_ones_resolve()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: "123" }
            spec:
              listeners: [ { name: "8080", port: 8080, acceptProxyProtocol: true } ]
            """, "p.yaml");
        Assert.Empty(r.Diagnostics);
        var l = Assert.Single(r.Policies).Spec.Listeners![0];
        Assert.Equal("8080", l.Name);
        Assert.True(l.AcceptProxyProtocol);
    }

    [Fact]
    public void Unknown_kind_and_apiVersion_name_what_is_allowed()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: ballast.dev/v1alpha1
            kind: Ingress
            metadata: { name: a }
            ---
            apiVersion: ballast.dev/v2
            kind: BackendPool
            metadata: { name: b }
            spec: { endpoints: [] }
            """, "x.yaml");
        Assert.Equal(2, r.Diagnostics.Length);
        Assert.Equal("x.yaml:2:7: kind: unknown kind \"Ingress\"; allowed: LoadBalancerPolicy, BackendPool", r.Diagnostics[0].ToString());
        Assert.Equal("apiVersion", r.Diagnostics[1].FieldPath);
        Assert.Equal("unknown apiVersion \"ballast.dev/v2\"; allowed: ballast.dev/v1alpha1", r.Diagnostics[1].Message);
        Assert.Equal(5, r.Diagnostics[1].Location!.Line);
    }

    [Fact]
    public void Documents_of_other_API_groups_are_skipped()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: v1
            kind: Service
            metadata: { name: a }
            spec: { ports: [ { port: 80 } ] }
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: a }
            """, "x.yaml");
        Assert.Empty(r.Diagnostics);
        Assert.Empty(r.Pools);
    }

    [Fact]
    public void A_missing_name_is_an_error()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { namespace: x }
            spec: { endpoints: [] }
            """, "x.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Contains("metadata.name is required", d.Message);
        Assert.Empty(r.Pools);
    }

    [Fact]
    public void Errors_of_every_document_are_reported_and_the_good_ones_still_load()
    {
        var r = ResourceLoader.LoadText("""
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: a }
            spec: { endpoints: [ { address: "10.0.0.1:80", weight: x } ], protocol: nope }
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: BackendPool
            metadata: { name: good }
            spec: { endpoints: [ { address: "10.0.0.1:80" } ] }
            ---
            apiVersion: ballast.dev/v1alpha1
            kind: LoadBalancerPolicy
            metadata: { name: p }
            spec: { listeners: [ { name: http, port: "80" } ] }
            """, "x.yaml");
        Assert.Equal(["spec.endpoints[0].weight", "spec.protocol", "spec.listeners[0].port"], r.Diagnostics.Select(d => d.FieldPath));
        Assert.Equal("good", Assert.Single(r.Pools).Metadata.Name);
        Assert.Empty(r.Policies);
    }

    [Fact]
    public void A_yaml_syntax_error_names_the_place()
    {
        var r = ResourceLoader.LoadText("apiVersion: ballast.dev/v1alpha1\nkind: [BackendPool\n", "bad.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("bad.yaml", d.Location!.File);
        Assert.StartsWith("invalid YAML", d.Message);
    }

    [Fact]
    public void LoadDirectory_reads_yaml_and_yml_in_path_order_with_relative_paths()
    {
        var dir = Directory.CreateTempSubdirectory("ballast-load-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "sub"));
            File.WriteAllText(Path.Combine(dir.FullName, "sub", "b.yml"), "apiVersion: ballast.dev/v1alpha1\nkind: BackendPool\nmetadata: { name: b }\nspec: { endpoints: [] }\n");
            File.WriteAllText(Path.Combine(dir.FullName, "a.yaml"), "apiVersion: ballast.dev/v1alpha1\nkind: BackendPool\nmetadata: { name: a }\nspec: { endpoints: [] }\n");
            File.WriteAllText(Path.Combine(dir.FullName, "c.yaml"), "apiVersion: ballast.dev/v1alpha1\nkind: BackendPool\nmetadata: { name: c }\nspec: { bogus: 1 }\n");
            File.WriteAllText(Path.Combine(dir.FullName, "notes.txt"), "not yaml: [");
            var r = ResourceLoader.LoadDirectory(dir.FullName);
            Assert.Equal(["a", "b"], r.Pools.Select(p => p.Metadata.Name));
            Assert.Equal("sub/b.yml", r.Pools[1].Source!.File);
            var d = Assert.Single(r.Diagnostics);
            Assert.Equal("c.yaml:4:9: BackendPool default/c: spec.bogus: unknown field", d.ToString());
        }
        finally { dir.Delete(recursive: true); }
    }
}
