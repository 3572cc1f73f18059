namespace Ballast.Ingress.Listeners.Scheduling;

/// <summary>
/// Picks a connection's scheduling from the first bytes its client sent, read without consuming them. Only HTTP/2 with
/// prior knowledge (h2c) is recognised: its preface starts <c>PRI</c>, which no HTTP/1.x method shares (PUT, POST,
/// PATCH, PROPFIND differ by the third byte at the latest). Everything else, TLS included, and too few bytes to tell,
/// is inline. A wrong guess costs throughput on that connection, never correctness: the protocol is still chosen by
/// <see cref="PriorKnowledgeHttp2Middleware"/> and Kestrel.
/// </summary>
public static class FirstBytes
{
    /// <summary>How many bytes <see cref="Classify"/> needs to tell.</summary>
    public const int Needed = 3;

    private static ReadOnlySpan<byte> Http2PrefaceStart => "PRI"u8;

    public static ConnectionScheduling Classify(ReadOnlySpan<byte> first) =>
        first.StartsWith(Http2PrefaceStart) ? ConnectionScheduling.ThreadPool : ConnectionScheduling.Inline;
}
