using System.Net;
using System.Net.Sockets;
using Ballast.Ingress.Hosting;

namespace Ballast.Ingress.Tests.Hosting;

[Trait("Category", "Integration")]
public sealed class AdminPortInUseTests
{
    [Fact]
    public async Task An_admin_port_in_use_ends_run_with_exit_1_and_a_line_naming_the_option_not_an_unhandled_exception()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var port = ((IPEndPoint)holder.LocalEndPoint!).Port;
        var folder = Directory.CreateTempSubdirectory("ballast-admin-in-use-");
        try
        {
            var stderr = new StringWriter();
            var exit = await CommandLine.RunAsync(["run", "--config", folder.FullName, "--admin-port", port.ToString()], TextReader.Null, TextWriter.Null, stderr);

            Assert.Equal(1, exit);
            Assert.Equal($"--admin-port {port}: 127.0.0.1:{port} is already in use (another ballast, or another program)", stderr.ToString().Trim());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
