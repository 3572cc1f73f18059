namespace Ballast.Ingress.Logging;

/// <summary>
/// <c>--log-format text|json</c>: one line per message, either readable text or the .NET JSON console formatter
/// (UTC timestamps, structured State, and the scopes, which carry a resource's kind/namespace/name).
/// </summary>
public static class ConsoleLogFormat
{
    public const string Text = "text";
    public const string Json = "json";

    public static bool IsKnown(string value) => value is Text or Json;

    public static ILoggingBuilder AddConsole(ILoggingBuilder logging, string format, LogLevel level)
    {
        if (format == Json)
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        else
            logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        return logging.SetMinimumLevel(level);
    }
}
