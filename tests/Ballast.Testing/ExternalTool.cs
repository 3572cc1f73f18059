namespace Ballast.Testing;

/// <summary>
/// External programs the suite drives (redis-server, pebble, openssl, haproxy …). The test command installs
/// them; a test that needs one fails loudly when it is missing — never a silent skip.
/// </summary>
public static class ExternalTool
{
    public static string Require(string program)
    {
        FastLane.Guard($"the external program '{program}'");
        var found = Find(program);
        if (found is null)
        {
            throw new InvalidOperationException(
                $"'{program}' is not installed. The test command (./test.sh) installs it; run that, or apt-get install it.");
        }
        return found;
    }

    public static string? Find(string program)
    {
        if (Path.IsPathRooted(program)) return File.Exists(program) ? program : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
