using Ballast.Ingress.Hosting;

namespace Ballast.Ingress.Tests.Hosting;

public sealed class OperatorModeArgumentsTests
{
    [Fact]
    public void Operator_mode_takes_url_token_file_replica_id_and_state_dir()
    {
        Assert.True(RunArguments.TryParse(["--operator", "http://op:8443", "--token-file", "/t", "--replica-id", "r1", "--state-dir", "/s", "--admin-port", "0"], out var run, out var error), error);
        Assert.Equal(new OperatorArguments(new Uri("http://op:8443/"), "/t", "r1", "/s"), run.Operator);
        Assert.Equal(0, run.AdminPort);
        Assert.True(RunArguments.TryParse(["--operator", "http://op:8443/", "--token-file", "/t", "--replica-id", "r1"], out run, out _));
        Assert.Equal("ballast-state", run.Operator!.StateDirectory);
    }

    [Theory]
    [InlineData("--operator ftp://op --token-file t --replica-id r", "--operator")]
    [InlineData("--operator http://op --replica-id r", "--token-file")]
    [InlineData("--operator http://op --token-file t", "--replica-id")]
    [InlineData("--operator http://op --token-file t --replica-id r --config d", "choose one")]
    [InlineData("--config d --replica-id r", "go with --operator")]
    public void Bad_operator_mode_arguments_name_the_flag(string args, string expected)
    {
        Assert.False(RunArguments.TryParse(args.Split(' '), out _, out var error));
        Assert.Contains(expected, error);
    }
}
