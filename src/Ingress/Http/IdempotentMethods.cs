namespace Ballast.Ingress.Http;

/// <summary>
/// RFC 9110 §9.2.2 idempotent methods: the retry decision (Forwarding) and the route's choice of whether to watch a
/// body from its first byte (Runtime) both ask, so it lives below both. Compares case-sensitively, as HTTP methods
/// are (ASP.NET Core hands them over in canonical upper case).
/// </summary>
public static class IdempotentMethods
{
    public static bool Contains(string method) => method switch
    {
        "GET" or "HEAD" or "OPTIONS" or "TRACE" or "PUT" or "DELETE" => true,
        _ => false,
    };
}
