using System.Net.Sockets;

namespace Ballast.Ingress.Health;

/// <summary>Short, log-friendly causes for probe exceptions.</summary>
internal static class ProbeFailures
{
    public static string Describe(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException s)
            {
                return s.SocketErrorCode.ToString();
            }
        }

        return e switch
        {
            HttpRequestException h when h.HttpRequestError != HttpRequestError.Unknown => h.HttpRequestError.ToString(),
            _ => e.GetType().Name + ": " + e.Message,
        };
    }
}
