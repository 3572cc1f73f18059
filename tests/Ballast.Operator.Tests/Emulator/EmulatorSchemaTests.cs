using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ballast.Operator.Tests.Support;
using k8s;
using k8s.Autorest;

namespace Ballast.Operator.Tests.Emulator;

/// <summary>
/// The emulator refuses what the API server would refuse for our CRDs (config/crds): every CEL rule and every
/// schema keyword they use, each answered with 422 Invalid and the field path in details.causes[], through the
/// real KubernetesClient. Each rule's case also shows its valid counterpart is accepted.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EmulatorSchemaTests : IAsyncLifetime
{
    private const string G = "ballast.dev", V = "v1alpha1";
    private const string Pools = "backendpools", Policies = "loadbalancerpolicies";
    private EmulatedCluster _cluster = null!;
    private Kubernetes K => _cluster.Client;

    public async Task InitializeAsync() => _cluster = await EmulatedCluster.StartAsync();
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static JsonObject Object(string plural, string name, string specJson) => new()
    {
        ["apiVersion"] = "ballast.dev/v1alpha1",
        ["kind"] = plural == Pools ? "BackendPool" : "LoadBalancerPolicy",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = JsonNode.Parse(specJson),
    };

    private async Task<JsonObject> CreateAsync(string plural, string name, string specJson) =>
        JsonNode.Parse(((JsonElement)await K.CustomObjects.CreateNamespacedCustomObjectAsync(Object(plural, name, specJson), G, V, "default", plural)).GetRawText())!.AsObject();

    /// <summary>The 422 Status of a refused write, checked for the shape kubectl relies on.</summary>
    private static async Task<JsonObject> RefusedAsync(Func<Task> write)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(write);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        var status = JsonNode.Parse(e.Response.Content)!.AsObject();
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        Assert.Equal(422, status["code"]!.GetValue<int>());
        return status;
    }

    private static JsonObject Cause(JsonObject status, string field) =>
        status["details"]!["causes"]!.AsArray().Select(c => c!.AsObject()).SingleOrDefault(c => c["field"]!.GetValue<string>() == field)
        ?? throw new Xunit.Sdk.XunitException($"no cause for {field} in {status.ToJsonString()}");

    private const string Endpoints = """ "endpoints":[{"address":"10.0.0.1:80"}] """;
    private const string Listener = """ "listeners":[{"name":"http","port":80}] """;

    private static string Route(string extra, bool backends = true) =>
        Listener + """, "routes":[{""" + (backends ? """ "backends":[{"pool":"p"}] """ : "") + (extra.Length > 0 && backends ? "," : "") + extra + "}]";

    public static TheoryData<string, string, string, string, string> CelRules => new()
    {
        // plural, invalid spec, field, message (the CRD's), the valid counterpart
        { Policies, "{" + Route(""" "match":{"path":"/a","pathPrefix":"/b"} """) + "}", "spec.routes[0].match",
            "at most one of path, pathPrefix, pathRegex may be set", "{" + Route(""" "match":{"pathPrefix":"/b"} """) + "}" },
        { Pools, "{" + Endpoints + """, "loadBalancing":{"hashOn":{"header":"X-User","cookie":"c"}} }""", "spec.loadBalancing.hashOn",
            "exactly one hash source must be set: clientIp, header, cookie, query or path", "{" + Endpoints + """, "loadBalancing":{"hashOn":{"header":"X-User"}} }""" },
        { Pools, "{" + Endpoints + """, "service":{"name":"web","port":80} }""", "spec",
            "exactly one of service, endpoints must be set", """{"service":{"name":"web","port":80}}""" },
        { Pools, """{"service":{"name":"web","port":80,"portName":"http"}}""", "spec.service",
            "set port or portName, not both", """{"service":{"name":"web","portName":"http"}}""" },
        { Pools, "{" + Endpoints + """, "healthCheck":{"active":{"http":{},"tcp":{}}} }""", "spec.healthCheck.active",
            "at most one of http, tcp, grpc may be set", "{" + Endpoints + """, "healthCheck":{"active":{"tcp":{}}} }""" },
        { Policies, "{" + Route(""" "match":{"headers":[{"name":"X-T","value":"a","regex":"b"}]} """) + "}", "spec.routes[0].match.headers[0]",
            "set value or regex, not both", "{" + Route(""" "match":{"headers":[{"name":"X-T","regex":"b"}]} """) + "}" },
        { Policies, "{" + Route(""" "match":{"query":[{"name":"q","value":"a","regex":"b"}]} """) + "}", "spec.routes[0].match.query[0]",
            "set value or regex, not both", "{" + Route(""" "match":{"query":[{"name":"q","value":"a"}]} """) + "}" },
        { Policies, "{" + Route(""" "canary":{"pool":"p"} """) + "}", "spec.routes[0].canary",
            "a canary needs a header or a cookie to match", "{" + Route(""" "canary":{"pool":"p","cookie":{"name":"c","value":"v"}} """) + "}" },
        { Policies, """{"listeners":[{"name":"https","port":443,"protocol":"HTTPS"}]}""", "spec.listeners[0]",
            "an HTTPS listener needs tls", """{"listeners":[{"name":"https","port":443,"protocol":"HTTPS","tls":{"certificates":[{"secretRef":"site"}]}}]}""" },
        { Policies, "{" + Route(""" "rewrite":{"pathPrefix":"/v1","pathRegex":{"pattern":"a","substitution":"b"}} """) + "}", "spec.routes[0].rewrite",
            "set pathPrefix or pathRegex, not both", "{" + Route(""" "rewrite":{"pathPrefix":"/v1"} """) + "}" },
        { Policies, "{" + Route(""" "redirect":{"path":"/x","pathPrefix":"/y"} """, backends: false) + "}", "spec.routes[0].redirect",
            "set path or pathPrefix, not both", "{" + Route(""" "redirect":{"path":"/x"} """, backends: false) + "}" },
        { Policies, "{" + Route(""" "redirect":{"scheme":"https"} """) + "}", "spec.routes[0]",
            "a route with a redirect takes no backends", "{" + Route(""" "redirect":{"scheme":"https"} """, backends: false) + "}" },
        { Pools, "{" + Endpoints + """, "sessionAffinity":{"type":"Header"} }""", "spec.sessionAffinity",
            "type Header needs headerName", "{" + Endpoints + """, "sessionAffinity":{"type":"Header","headerName":"X-Session"} }""" },
    };

    [Theory]
    [MemberData(nameof(CelRules))]
    public async Task Each_CEL_rule_refuses_with_its_message_at_its_field_and_its_valid_counterpart_is_accepted(
        string plural, string invalid, string field, string message, string valid)
    {
        var status = await RefusedAsync(() => CreateAsync(plural, "bad", invalid));
        var cause = Cause(status, field);
        Assert.Equal("FieldValueInvalid", cause["reason"]!.GetValue<string>());
        Assert.Equal($"Invalid value: \"object\": {message}", cause["message"]!.GetValue<string>());
        var kind = plural == Pools ? "BackendPool" : "LoadBalancerPolicy";
        Assert.Equal($"{kind}.ballast.dev \"bad\" is invalid: {field}: Invalid value: \"object\": {message}", status["message"]!.GetValue<string>());

        await CreateAsync(plural, "good", valid);
    }

    public static TheoryData<string, string, string, string> Keywords => new()
    {
        // keyword, spec, field, the cause's message
        { "type", """{"listeners":[{"name":"http","port":"eighty"}]}""", "spec.listeners[0].port",
            "Invalid value: \"string\": spec.listeners[0].port in body must be of type integer: \"string\"" },
        { "required", """{"listeners":[{"port":80}]}""", "spec.listeners[0].name", "Required value" },
        { "enum", """{"listeners":[{"name":"http","port":80,"protocol":"SCTP"}]}""", "spec.listeners[0].protocol",
            "Unsupported value: \"SCTP\": supported values: \"HTTP\", \"HTTPS\", \"TCP\", \"UDP\", \"TLS\"" },
        { "minimum", """{"listeners":[{"name":"http","port":0}]}""", "spec.listeners[0].port",
            "Invalid value: 0: spec.listeners[0].port in body should be greater than or equal to 1" },
        { "maximum", """{"listeners":[{"name":"http","port":70000}]}""", "spec.listeners[0].port",
            "Invalid value: 70000: spec.listeners[0].port in body should be less than or equal to 65535" },
        { "minLength", """{"routes":[{"backends":[{"pool":""}]}]}""", "spec.routes[0].backends[0].pool",
            "Invalid value: \"\": spec.routes[0].backends[0].pool in body should be at least 1 chars long" },
        { "maxItems", """{"routes":[{"backends":[""" + string.Join(",", Enumerable.Range(0, 17).Select(i => $$"""{"pool":"p{{i}}"}""")) + "]}]}",
            "spec.routes[0].backends", "Too many: 17: must have at most 16 items" },
        { "pattern", """{"routes":[{"timeout":"5 minutes","backends":[{"pool":"p"}]}]}""", "spec.routes[0].timeout",
            "Invalid value: \"5 minutes\": spec.routes[0].timeout in body should match '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'" },
        { "x-kubernetes-list-type: map", """{"listeners":[{"name":"http","port":80},{"name":"http","port":81}]}""", "spec.listeners[1]",
            "Duplicate value: map[string]interface {}{\"name\":\"http\"}" },
        { "additionalProperties", """{"routes":[{"backends":[{"pool":"p"}],"requestHeaders":{"set":{"X-Env":5}}}]}""", "spec.routes[0].requestHeaders.set[X-Env]",
            "Invalid value: \"integer\": spec.routes[0].requestHeaders.set[X-Env] in body must be of type string: \"integer\"" },
        { "required (spec)", "null", "spec", "Required value" },
    };

    [Theory]
    [MemberData(nameof(Keywords))]
    public async Task Each_schema_keyword_refuses_with_the_field_path(string keyword, string spec, string field, string message)
    {
        var status = await RefusedAsync(() => CreateAsync(Policies, "bad", spec));
        Assert.True(Cause(status, field)["message"]!.GetValue<string>() == message, $"{keyword}: {status.ToJsonString()}");
    }

    [Fact]
    public async Task Format_date_time_is_checked_on_status_writes()
    {
        var pool = await CreateAsync(Pools, "web", "{" + Endpoints + "}");
        pool["status"] = JsonNode.Parse("""{"conditions":[{"type":"Accepted","status":"True","reason":"Accepted","message":"","lastTransitionTime":"yesterday"}]}""");
        var status = await RefusedAsync(() => K.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(pool, G, V, "default", Pools, "web"));
        Assert.Equal("Invalid value: \"yesterday\": status.conditions[0].lastTransitionTime in body must be of type date-time: \"yesterday\"",
            Cause(status, "status.conditions[0].lastTransitionTime")["message"]!.GetValue<string>());

        pool["status"]!["conditions"]![0]!["lastTransitionTime"] = "2026-01-02T03:04:05Z";
        await K.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(pool, G, V, "default", Pools, "web");
    }

    [Fact]
    public async Task Several_errors_come_back_together_in_brackets_one_cause_each()
    {
        var status = await RefusedAsync(() => CreateAsync(Policies, "bad",
            """{"listeners":[{"name":"http","port":0}],"routes":[{"match":{"path":"/a","pathPrefix":"/b"}}]}"""));
        Assert.Equal(2, status["details"]!["causes"]!.AsArray().Count);
        Assert.StartsWith("LoadBalancerPolicy.ballast.dev \"bad\" is invalid: [spec.listeners[0].port: ", status["message"]!.GetValue<string>());
        Assert.EndsWith("at most one of path, pathPrefix, pathRegex may be set]", status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Names_must_be_DNS_subdomains_and_generateName_makes_one()
    {
        var status = await RefusedAsync(() => CreateAsync(Pools, "Bad_Name", "{" + Endpoints + "}"));
        Assert.StartsWith("Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain", Cause(status, "metadata.name")["message"]!.GetValue<string>());

        var generated = Object(Pools, "", "{" + Endpoints + "}");
        generated["metadata"] = new JsonObject { ["generateName"] = "web-" };
        var created = JsonNode.Parse(((JsonElement)await K.CustomObjects.CreateNamespacedCustomObjectAsync(generated, G, V, "default", Pools)).GetRawText())!;
        Assert.Matches("^web-[0-9a-f]{5}$", created["metadata"]!["name"]!.GetValue<string>());

        generated["metadata"] = new JsonObject { ["generateName"] = "web." };
        await RefusedAsync(() => K.CustomObjects.CreateNamespacedCustomObjectAsync(generated, G, V, "default", Pools));
        generated["metadata"] = new JsonObject();
        Assert.Equal("Required value: name or generateName is required",
            Cause(await RefusedAsync(() => K.CustomObjects.CreateNamespacedCustomObjectAsync(generated, G, V, "default", Pools)), "metadata.name")["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Defaults_appear_on_read_inside_present_objects_only_and_come_back_after_an_update_drops_them()
    {
        await CreateAsync(Pools, "web", """{"endpoints":[{"address":"10.0.0.1:80"}],"healthCheck":{"active":{"http":{}}}}""");
        var read = JsonNode.Parse(((JsonElement)await K.CustomObjects.GetNamespacedCustomObjectAsync(G, V, "default", Pools, "web")).GetRawText())!;
        Assert.Equal("HTTP1", read["spec"]!["protocol"]!.GetValue<string>());                  // top-level default
        Assert.Equal(1, read["spec"]!["endpoints"]![0]!["weight"]!.GetValue<int>());          // inside list items
        Assert.Equal("/", read["spec"]!["healthCheck"]!["active"]!["http"]!["path"]!.GetValue<string>());
        Assert.Null(read["spec"]!["loadBalancing"]);                                            // a default never creates its parent
        Assert.Null(read["spec"]!["sessionAffinity"]);

        var edited = read.AsObject();
        edited["spec"]!.AsObject().Remove("protocol");
        edited["spec"]!["loadBalancing"] = new JsonObject();
        var updated = JsonNode.Parse(((JsonElement)await K.CustomObjects.ReplaceNamespacedCustomObjectAsync(edited, G, V, "default", Pools, "web")).GetRawText())!;
        Assert.Equal("HTTP1", updated["spec"]!["protocol"]!.GetValue<string>());
        Assert.Equal("RoundRobin", updated["spec"]!["loadBalancing"]!["algorithm"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_fields_are_pruned_with_a_warning_and_refused_when_validation_is_strict()
    {
        using var http = new HttpClient { BaseAddress = _cluster.Api.BaseUri };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _cluster.Api.Token);
        var body = Object(Pools, "web", """{"endpoints":[{"address":"10.0.0.1:80","colour":"blue"}],"bogus":1}""");
        var url = "/apis/ballast.dev/v1alpha1/namespaces/default/backendpools";

        var strict = await http.PostAsync(url + "?fieldValidation=Strict", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Contains("strict decoding error: unknown field \\u0022spec.bogus\\u0022, unknown field \\u0022spec.endpoints[0].colour\\u0022", await strict.Content.ReadAsStringAsync());

        var lenient = await http.PostAsync(url, new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, lenient.StatusCode);
        Assert.Equal(["299 - \"unknown field \\\"spec.bogus\\\"\"", "299 - \"unknown field \\\"spec.endpoints[0].colour\\\"\""], lenient.Headers.GetValues("Warning"));
        var stored = JsonNode.Parse(((JsonElement)await K.CustomObjects.GetNamespacedCustomObjectAsync(G, V, "default", Pools, "web")).GetRawText())!;
        Assert.Null(stored["spec"]!["bogus"]);
        Assert.False(stored["spec"]!["endpoints"]![0]!.AsObject().ContainsKey("colour"));
    }
}
