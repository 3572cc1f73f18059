using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using static Ballast.Model.Tests.Compilation.Yaml;

namespace Ballast.Model.Tests.Compilation.Rules;

public class AccessLogRulesTests
{
    private static CompileResult CompileListenerLog(string accessLog) =>
        Compile(Pool("a") + Policy("p", $"listeners: [ {{ name: http, port: 8080, accessLog: {accessLog} }} ]\nroutes: [ {{ backends: [ {{ pool: a }} ] }} ]\n"));

    [Theory]
    [InlineData("{ format: Template }", "spec.listeners[0].accessLog.template: required with format: Template")]
    [InlineData("{ format: Template, template: \"{time} {nope}\" }", "spec.listeners[0].accessLog.template: unknown field \"{nope}\" (fields: time, client_address,")]
    [InlineData("{ format: Template, template: \"{time\" }", "spec.listeners[0].accessLog.template: '{' at position 0 is not closed")]
    [InlineData("{ format: Template, template: \"plain text\" }", "spec.listeners[0].accessLog.template: names no field")]
    [InlineData("{ format: Json, template: \"{time}\" }", "spec.listeners[0].accessLog.template: goes with format: Template (this one is Json)")]
    [InlineData("{ file: logs/access.log }", "spec.listeners[0].accessLog.file: expected an absolute file path such as /var/log/ballast/access.log, got \"logs/access.log\"")]
    [InlineData("{ maxFileBytes: 100000 }", "spec.listeners[0].accessLog.maxFileBytes: goes with file (standard output is not rotated)")]
    [InlineData("{ file: /tmp/a.log, maxFileBytes: 10 }", "spec.listeners[0].accessLog.maxFileBytes: must be between 4096 and")]
    [InlineData("{ file: /tmp/a.log, keepFiles: 0 }", "spec.listeners[0].accessLog.keepFiles: must be between 1 and 100, got 0")]
    [InlineData("{ sampling: Ratio }", "spec.listeners[0].accessLog.ratio: required with sampling: Ratio")]
    [InlineData("{ sampling: Ratio, ratio: 1.5 }", "spec.listeners[0].accessLog.ratio: must be above 0 and at most 1, got 1.5")]
    [InlineData("{ sampling: Errors, ratio: 0.5 }", "spec.listeners[0].accessLog.ratio: goes with sampling: Ratio (this one is Errors)")]
    public void Access_log_errors_name_the_field(string accessLog, string expected)
    {
        var r = CompileListenerLog(accessLog);
        HasError(r, expected);
        Assert.Empty(r.Snapshot.Listeners);
    }

    [Fact]
    public void Only_HTTP_listeners_take_an_access_log()
    {
        var r = Compile(Pool("t", "protocol: TCP\n") + Policy("p",
            "listeners: [ { name: db, port: 5432, protocol: TCP, accessLog: { } } ]\ntcpRoutes: [ { listener: db, backends: [ { pool: t } ] } ]\n"));
        HasError(r, "spec.listeners[0].accessLog: only HTTP and HTTPS listeners take accessLog (this one is TCP)");
    }

    [Fact]
    public void Routes_take_their_listeners_log_unless_they_override_it_off_or_otherwise()
    {
        var r = Compile(Pool("a") + Policy("p",
            "listeners: [ { name: http, port: 8080, accessLog: { file: /var/log/ballast/access.log, maxFileBytes: 1048576, sampling: Ratio, ratio: 0.25 } } ]\nroutes:\n" +
            "- { name: plain, match: { pathPrefix: /plain }, backends: [ { pool: a } ] }\n" +
            "- { name: quiet, match: { pathPrefix: /quiet }, backends: [ { pool: a } ], accessLog: { format: Off } }\n" +
            "- { name: errors, match: { pathPrefix: /errors }, backends: [ { pool: a } ], accessLog: { format: Template, template: \"{status} {path}\", sampling: Errors } }\n"));
        Assert.Empty(r.Diagnostics);
        var listener = r.Snapshot.Listeners.Single();
        var expected = new AccessLogSnapshot
        {
            Format = AccessLogFormat.Json,
            File = "/var/log/ballast/access.log",
            MaxFileBytes = 1048576,
            KeepFiles = 5,
            Sampling = AccessLogSampling.Ratio,
            Ratio = 0.25,
        };
        Assert.Equal(expected, listener.AccessLog);
        var routes = listener.Routes.ToDictionary(x => x.Id[(x.Id.LastIndexOf('/') + 1)..]);
        Assert.Equal(expected, routes["plain"].AccessLog);
        Assert.Null(routes["quiet"].AccessLog);
        Assert.Equal(new AccessLogSnapshot { Format = AccessLogFormat.Template, Template = "{status} {path}", Sampling = AccessLogSampling.Errors },
            routes["errors"].AccessLog);
    }

    [Fact]
    public void On_a_shared_port_each_policys_routes_keep_their_own_listeners_log()
    {
        var r = Compile(Pool("a") +
            Policy("first", "listeners: [ { name: http, port: 8080 } ]\nroutes: [ { name: one, match: { pathPrefix: /one }, backends: [ { pool: a } ] } ]\n") +
            Policy("second", "listeners: [ { name: web, port: 8080, accessLog: { } } ]\nroutes: [ { name: two, match: { pathPrefix: /two }, backends: [ { pool: a } ] } ]\n"));
        Assert.Empty(r.Diagnostics);
        var routes = r.Snapshot.Listeners.Single().Routes;
        Assert.Null(routes.Single(x => x.Id.EndsWith("/one")).AccessLog);
        Assert.Equal(AccessLogFormat.Json, routes.Single(x => x.Id.EndsWith("/two")).AccessLog?.Format);
    }

    [Fact]
    public void Templates_parse_fields_literals_and_escaped_braces()
    {
        var segments = AccessLogTemplate.Parse("{{{method}}} {status}", out var error);
        Assert.Equal("", error);
        Assert.Equal([new AccessLogSegment("{", null), new AccessLogSegment("", AccessLogField.Method), new AccessLogSegment("} ", null),
            new AccessLogSegment("", AccessLogField.Status)], segments!.Value.ToArray());
        Assert.Equal("upstream_ttfb_ms", AccessLogFields.Name(AccessLogField.UpstreamTtfbMs));
    }
}
