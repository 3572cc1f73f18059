using Ballast.Operator;

namespace Ballast.Operator.Tests;

/// <summary>The operator's <c>--log-format</c> / <c>BALLAST_LOG_FORMAT</c> (the chart sets the variable from <c>logFormat</c>).</summary>
public sealed class LogFormatTests
{
    private static (OperatorCommandLine.Settings? Settings, string? Error) Parse(string[] args, string? variable) =>
        OperatorCommandLine.Parse(args, name => name switch
        {
            "BALLAST_SNAPSHOT_TOKEN" => "token",
            "BALLAST_LOG_FORMAT" => variable,
            _ => null,
        });

    [Fact]
    public void Text_by_default_json_from_the_variable_and_the_argument_wins()
    {
        Assert.Equal("text", Parse([], null).Settings!.LogFormat);
        Assert.Equal("json", Parse([], "json").Settings!.LogFormat);
        Assert.Equal("text", Parse(["--log-format", "text"], "json").Settings!.LogFormat);
    }

    [Fact]
    public void An_unknown_format_is_refused_by_name()
    {
        var (settings, error) = Parse([], "yaml");
        Assert.Null(settings);
        Assert.Equal("BALLAST_LOG_FORMAT / --log-format: \"yaml\" is not one of text, json", error);
    }
}
