namespace Ballast.Ingress.Redis;

/// <summary>The ingress's shared Redis (affinity table, global rate limits): <c>--redis host:port</c>.</summary>
public sealed record RedisOptions
{
    /// <summary><c>host:port</c>.</summary>
    public required string Endpoint { get; init; }
    /// <summary>How long a connect attempt may take before the replica carries on without Redis.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>The budget of one operation on the request path; past it the replica decides locally.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The password (Redis <c>AUTH</c>); null: none. Read from <see cref="PasswordVariable"/>, never from the
    /// command line, where <c>ps</c> would show it; the chart fills that variable from a Secret.
    /// </summary>
    public string? Password { get; init; }

    public const string PasswordVariable = "BALLAST_REDIS_PASSWORD";

    /// <summary>Parses <c>host:port</c>, the password from <see cref="PasswordVariable"/>; the error names the option.</summary>
    public static bool TryParse(string value, out RedisOptions options, out string error) =>
        TryParse(value, Environment.GetEnvironmentVariable(PasswordVariable), out options, out error);

    /// <summary>Parses <c>host:port</c> with the given password (empty: none).</summary>
    public static bool TryParse(string value, string? password, out RedisOptions options, out string error)
    {
        options = null!;
        error = "";
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"--redis: '{value}' is not host:port";
            return false;
        }
        options = new RedisOptions { Endpoint = value, Password = string.IsNullOrEmpty(password) ? null : password };
        return true;
    }
}
