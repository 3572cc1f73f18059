using Ballast.Ingress.Hosting;
using Ballast.Ingress.Tracing;

namespace Ballast.Ingress.Tests.Hosting;

/// <summary><c>ballast --help</c>, <c>ballast &lt;command&gt; --help</c>, <c>ballast --version</c>, and the option table behind <c>run</c>.</summary>
public sealed class HelpAndVersionTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await CommandLine.RunAsync(args, new StringReader(""), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_lists_every_command_on_stdout_and_exits_0(string flag)
    {
        var (code, output, _) = await RunAsync(flag);
        Assert.Equal(0, code);
        foreach (var command in new[] { "run", "validate", "migrate", "version", "help" })
            Assert.Matches($"(?m)^  {command} ", output);
        Assert.Contains("ballast <command> --help", output);
    }

    [Fact]
    public async Task Run_help_is_generated_from_the_option_table_every_option_and_variable_appears()
    {
        var (code, output, _) = await RunAsync("run", "--help");
        Assert.Equal(0, code);
        foreach (var option in RunArguments.Options)
        {
            Assert.Matches($"(?m)^  {option.Name}{(option.Value is null ? "" : " " + System.Text.RegularExpressions.Regex.Escape(option.Value))} ", output);
            if (option.Environment is { } variable) Assert.Contains($"[{variable}]", output);
        }
        // The other commands' help.
        Assert.Contains("--output text|json", (await RunAsync("validate", "--help")).Out);
        Assert.Contains("ballast migrate", (await RunAsync("migrate", "--help")).Out);
    }

    [Fact]
    public async Task Version_prints_the_version_and_the_commit_it_was_built_from()
    {
        var (code, output, _) = await RunAsync("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^ballast \d+\.\d+\.\d+ \(commit [0-9a-f]{12}\)\r?\n$", output);
        Assert.Equal(output, (await RunAsync("version")).Out);
    }

    [Fact]
    public async Task An_unknown_command_or_option_exits_2_naming_it()
    {
        var (code, _, error) = await RunAsync("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'frobnicate'", error);
        (code, _, error) = await RunAsync("run", "--config", "d", "--frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("unknown option '--frobnicate'", error);
    }

    [Fact]
    public void Every_option_that_takes_a_value_says_so_when_it_is_missing()
    {
        foreach (var option in RunArguments.Options.Where(o => o.Value is not null))
        {
            Assert.False(RunArguments.TryParse(["--config", "d", option.Name], _ => null, out _, out var error));
            Assert.Equal($"{option.Name} needs a value ({option.Value})", error);
        }
    }

    [Fact]
    public void Tracing_is_off_without_an_endpoint_and_takes_flags_or_the_OpenTelemetry_variables()
    {
        Assert.True(RunArguments.TryParse(["--config", "d", "--tracing-sample-ratio", "0.5"], _ => null, out var off, out _));
        Assert.Null(off.Tracing);

        Assert.True(RunArguments.TryParse(["--config", "d", "--tracing-endpoint", "http://collector:4318", "--tracing-sample-ratio", "0.01",
            "--tracing-propagation", "b3multi", "--tracing-service-name", "edge"], _ => null, out var run, out var error), error);
        Assert.Equal(new Uri("http://collector:4318/v1/traces"), run.Tracing!.TracesUrl);
        Assert.Equal((0.01, TracePropagation.B3Multi, "edge"), (run.Tracing.SampleRatio, run.Tracing.Propagation, run.Tracing.ServiceName));

        var variables = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://otel:4318/v1/traces",
            ["OTEL_TRACES_SAMPLER_ARG"] = "0.25",
            ["OTEL_PROPAGATORS"] = "baggage,b3",
            ["OTEL_SERVICE_NAME"] = "lb",
        };
        Assert.True(RunArguments.TryParse(["--operator", "http://op:8443", "--token-file", "/t", "--replica-id", "pod-7"], variables.GetValueOrDefault, out run, out error), error);
        Assert.Equal(new Uri("http://otel:4318/v1/traces"), run.Tracing!.TracesUrl);
        Assert.Equal((0.25, TracePropagation.B3, "lb", "pod-7"), (run.Tracing.SampleRatio, run.Tracing.Propagation, run.Tracing.ServiceName, run.Tracing.ServiceInstance));
        // A flag wins over its variable.
        Assert.True(RunArguments.TryParse(["--config", "d", "--tracing-sample-ratio", "1"], variables.GetValueOrDefault, out run, out _));
        Assert.Equal(1.0, run.Tracing!.SampleRatio);
    }

    [Theory]
    [InlineData("--tracing-endpoint", "collector:4318", "--tracing-endpoint: 'collector:4318' is not an http(s) URL")]
    [InlineData("--tracing-sample-ratio", "1.5", "--tracing-sample-ratio: '1.5' is not a number from 0 to 1")]
    [InlineData("--tracing-propagation", "jaeger", "--tracing-propagation: 'jaeger' is not one of w3c, b3, b3multi")]
    public void Bad_tracing_values_name_the_flag(string flag, string value, string expected)
    {
        Assert.False(RunArguments.TryParse(["--config", "d", flag, value], _ => null, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void A_bad_value_from_the_environment_names_the_variable()
    {
        Assert.False(RunArguments.TryParse(["--config", "d"], v => v == "OTEL_TRACES_SAMPLER_ARG" ? "lots" : null, out _, out var error));
        Assert.Equal("OTEL_TRACES_SAMPLER_ARG: --tracing-sample-ratio: 'lots' is not a number from 0 to 1", error);
    }
}
