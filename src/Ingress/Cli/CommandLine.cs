namespace Ballast.Ingress.Cli;

/// <summary>The <c>ballast</c> command line: <c>run</c> and <c>validate</c>.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage:
          ballast run --config DIR [--admin-port N]   serve the folder's policies and pools; reload on change
          ballast --config DIR [--admin-port N]       the same
          ballast validate DIR                        check the folder; exit 1 on any error
        """;

    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine(Usage);
        return Task.FromResult(2);
    }
}
