using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ballast.Operator.Delivery.Auth;

/// <summary>
/// Ingress replicas present their projected ServiceAccount token (audience-bound, short-lived, rotated by the
/// kubelet); the operator asks the API server whose it is with a <c>authentication.k8s.io/v1</c> TokenReview naming
/// the audience, and lets in only the configured ingress ServiceAccount. Nothing is shared or generated, so the
/// chart renders the same every time (Argo CD) and a leaked token expires on its own.
/// Verdicts are cached briefly, keyed by the token's SHA-256 (the token itself is never kept), in a bounded map,
/// so a long-poll every few seconds per replica costs one review per <see cref="CacheFor"/>, not one per request.
/// </summary>
public sealed class TokenReviewAuthenticator(IKubernetes client, string audience, string serviceAccountNamespace, string serviceAccountName,
    TimeProvider time, ILogger logger) : IReplicaAuthenticator
{
    /// <summary>How long a verdict is reused. Short: a deleted ServiceAccount or a revoked token is refused soon after.</summary>
    public TimeSpan CacheFor { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>At most this many verdicts are kept (replicas times rotations; garbage tokens cannot grow it past this).</summary>
    public int MaxCached { get; init; } = 1024;

    /// <summary>The user name the API server gives the ingress ServiceAccount.</summary>
    public string ExpectedUser { get; } = $"system:serviceaccount:{serviceAccountNamespace}:{serviceAccountName}";

    private readonly ConcurrentDictionary<string, (AuthResult Result, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<AuthResult> AuthenticateAsync(string? authorization, CancellationToken ct)
    {
        var token = IReplicaAuthenticator.BearerToken(authorization);
        if (token is null) return AuthResult.Refused(AuthFailure.Missing, "no bearer token");
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Until > now) return cached.Result;

        V1TokenReview review;
        try
        {
            review = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview
            {
                ApiVersion = "authentication.k8s.io/v1",
                Kind = "TokenReview",
                Spec = new V1TokenReviewSpec { Token = token, Audiences = [audience] },
            }, cancellationToken: ct);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            logger.LogWarning("TokenReview failed: {Error}", e.Message);
            return AuthResult.Refused(AuthFailure.ReviewError, "could not review the token: " + e.Message); // not cached
        }
        var result = Verdict(review.Status);
        Remember(key, result, now);
        return result;
    }

    private AuthResult Verdict(V1TokenReviewStatus? status)
    {
        if (status?.Authenticated != true)
            return AuthResult.Refused(AuthFailure.Invalid, "token not authenticated: " + (status?.Error ?? "no reason given"));
        // An API server that ignores spec.audiences answers with the token's own: check it ourselves.
        if (status.Audiences is { Count: > 0 } audiences && !audiences.Contains(audience))
            return AuthResult.Refused(AuthFailure.Invalid, $"token not meant for audience \"{audience}\"");
        var user = status.User?.Username ?? "";
        return user == ExpectedUser
            ? AuthResult.Allowed(user)
            : AuthResult.Refused(AuthFailure.ServiceAccount, $"\"{user}\" is not the ingress ServiceAccount ({ExpectedUser})");
    }

    private void Remember(string key, AuthResult result, DateTimeOffset now)
    {
        if (_cache.Count >= MaxCached)
        {
            foreach (var (k, v) in _cache)
                if (v.Until <= now) _cache.TryRemove(k, out _);
            if (_cache.Count >= MaxCached) _cache.Clear(); // all fresh: start over rather than grow (costs one review per replica)
        }
        _cache[key] = (result, now + CacheFor);
    }
}
