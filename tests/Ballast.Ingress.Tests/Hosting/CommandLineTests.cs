using Ballast.Ingress.Hosting;
using Ballast.Testing;

namespace Ballast.Ingress.Tests.Hosting;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("frobnicate")]
    [InlineData("validate")]
    [InlineData("run")]
    [InlineData("run", "--config")]
    [InlineData("--config", "x", "--admin-port", "http")]
    public async Task Unknown_or_incomplete_commands_print_usage_and_exit_2(params string[] args)
    {
        Assert.Equal(2, await CommandLine.RunAsync(args));
    }

    [Fact]
    public async Task Validate_checks_the_quickstart_sample()
    {
        Assert.Equal(0, await CommandLine.RunAsync(["validate", RepoPaths.Of("samples", "quickstart")]));
    }

    [Fact]
    public void Run_arguments_take_the_folder_and_the_admin_port()
    {
        Assert.True(RunArguments.TryParse(["--config", "dir", "--admin-port", "0"], out var run, out _));
        Assert.Equal(new RunArguments("dir", 0), run);
        Assert.False(RunArguments.TryParse(["--admin-port", "70000", "--config", "d"], out _, out var error));
        Assert.Contains("--admin-port", error);
    }

    [Fact]
    public void Shutdown_durations_default_to_5s_grace_and_20s_timeout_and_bad_ones_name_the_option()
    {
        Assert.True(RunArguments.TryParse(["--config", "dir"], out var defaults, out _));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20)), (defaults.ShutdownGrace, defaults.ShutdownTimeout));
        Assert.True(RunArguments.TryParse(["--config", "dir", "--shutdown-grace", "0s", "--shutdown-timeout", "1m"], out var run, out _));
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromMinutes(1)), (run.ShutdownGrace, run.ShutdownTimeout));
        Assert.False(RunArguments.TryParse(["--config", "dir", "--shutdown-grace", "soon"], out _, out var error));
        Assert.Equal("--shutdown-grace: 'soon' is not a duration (e.g. 5s, 500ms, 1m)", error);
    }
}
