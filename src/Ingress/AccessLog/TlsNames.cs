using System.Security.Authentication;

namespace Ballast.Ingress.AccessLog;

/// <summary>TLS versions as people write them (TLSv1.3), not as the enum spells them (Tls13).</summary>
internal static class TlsNames
{
    public static string? Version(SslProtocols protocol) => protocol switch
    {
        SslProtocols.None => null,
#pragma warning disable SYSLIB0039, CA5397 // old versions are named, not used
        SslProtocols.Tls => "TLSv1",
        SslProtocols.Tls11 => "TLSv1.1",
#pragma warning restore SYSLIB0039, CA5397
        SslProtocols.Tls12 => "TLSv1.2",
        SslProtocols.Tls13 => "TLSv1.3",
        _ => protocol.ToString(),
    };
}
