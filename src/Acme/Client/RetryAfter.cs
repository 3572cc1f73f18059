using System.Net.Http.Headers;

namespace Ballast.Acme.Client;

/// <summary>Turns a Retry-After header (seconds or HTTP date) into a bounded wait.</summary>
internal static class RetryAfter
{
    public static TimeSpan Wait(RetryConditionHeaderValue? header, DateTimeOffset now, TimeSpan fallback, TimeSpan max)
    {
        var wait = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => fallback,
        };
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        return wait > max ? max : wait;
    }
}
