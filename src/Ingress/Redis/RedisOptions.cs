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

    /// <summary>Parses <c>host:port</c>; the error names the option.</summary>
    public static bool TryParse(string value, out RedisOptions options, out string error)
    {
        options = null!;
        error = "";
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"--redis: '{value}' is not host:port";
            return false;
        }
        options = new RedisOptions { Endpoint = value };
        return true;
    }
}
