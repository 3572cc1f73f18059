using System.Net;

namespace Ballast.Acme.Protocol;

/// <summary>Any ACME failure; the message is what the status condition shows.</summary>
public class AcmeException : Exception
{
    public AcmeException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The server (or a challenge/order) reported a problem document; <see cref="Problem"/> keeps it whole.</summary>
public sealed class AcmeProblemException : AcmeException
{
    public AcmeProblem Problem { get; }
    public HttpStatusCode? StatusCode { get; }

    public AcmeProblemException(string context, AcmeProblem problem, HttpStatusCode? statusCode = null)
        : base($"{context}: {problem.Describe()}")
    {
        Problem = problem;
        StatusCode = statusCode;
    }
}
