namespace Ballast.Ingress.Transforms;

/// <summary>
/// What <see cref="RetryAwareTransformer"/> asks of the request's retry state (Forwarding/RetryAttempt, set as a
/// request feature under this interface): whether a 502/503/504 just received will be retried, in which case
/// the response is suppressed. An interface so this stage does not depend on the forwarder above it.
/// </summary>
public interface IRetriableResponse
{
    /// <summary>Plans a retry of a response with <paramref name="status"/>; true when one will be sent.</summary>
    bool TrySuppress(int status);
}
