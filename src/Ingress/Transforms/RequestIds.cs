using System.Security.Cryptography;

namespace Ballast.Ingress.Transforms;

/// <summary>
/// X-Request-ID: the client's is kept when it is sane (1–128 printable ASCII characters, no spaces), else one
/// is generated: a random per-process prefix and a counter, unique without a random draw per request.
/// </summary>
public static class RequestIds
{
    public const string HeaderName = "X-Request-ID";
    public const int MaxLength = 128;

    private static readonly string Prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private static long _counter;

    public static bool IsSane(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxLength) return false;
        foreach (var c in value)
        {
            if (c is < '!' or > '~') return false;
        }
        return true;
    }

    public static string Next()
    {
        var n = Interlocked.Increment(ref _counter);
        return string.Create(Prefix.Length + 1 + 16, n, static (span, n) =>
        {
            Prefix.AsSpan().CopyTo(span);
            span[Prefix.Length] = '-';
            n.TryFormat(span[(Prefix.Length + 1)..], out _, "x16");
        });
    }
}
