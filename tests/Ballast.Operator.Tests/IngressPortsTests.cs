using Ballast.Model.Compilation;

namespace Ballast.Operator.Tests;

/// <summary>The ports the operator serves Ingress objects on: <c>--ingress-http(s)-port</c> or <c>BALLAST_INGRESS_HTTP(S)_PORT</c> (the chart's).</summary>
public sealed class IngressPortsTests
{
    private static (OperatorCommandLine.Settings? Settings, string? Error) Parse(string[] args, string? http = null) =>
        OperatorCommandLine.Parse(args, name => name switch
        {
            "BALLAST_SNAPSHOT_TOKEN" => "token",
            "BALLAST_INGRESS_HTTP_PORT" => http,
            _ => null,
        });

    [Fact]
    public void Defaults_are_the_charts_container_ports_the_variable_sets_them_and_the_argument_wins()
    {
        Assert.Equal(new IngressServing(8080, 8443), Parse([]).Settings!.Options.Ingress);
        Assert.Equal(new IngressServing(9080, 8443), Parse([], http: "9080").Settings!.Options.Ingress);
        Assert.Equal(new IngressServing(7080, 7443), Parse(["--ingress-http-port", "7080", "--ingress-https-port", "7443"], http: "9080").Settings!.Options.Ingress);
    }

    [Fact]
    public void A_port_that_is_not_one_is_refused_by_name()
    {
        var (settings, error) = Parse([], http: "80a");
        Assert.Null(settings);
        Assert.Equal("BALLAST_INGRESS_HTTP_PORT / --ingress-http-port: \"80a\" is not a port number (1-65535)", error);
    }
}
