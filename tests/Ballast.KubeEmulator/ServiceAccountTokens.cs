using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Ballast.KubeEmulator;

/// <summary>
/// ServiceAccount tokens as the kubelet gets them for a projected volume (bound to a ServiceAccount, to audiences and
/// to an expiry), and the API server's <c>authentication.k8s.io/v1</c> TokenReview that checks them: a token is
/// authenticated only while it is unexpired (on the emulator's clock) and, when the review names audiences, only if
/// one of them is one the token was issued for. Tokens are opaque random strings: nobody but the API server reads them.
/// </summary>
public sealed class ServiceAccountTokens(TimeProvider time)
{
    private sealed record Issued(string Namespace, string ServiceAccount, string Uid, string[] Audiences, DateTimeOffset Expires);

    private readonly ConcurrentDictionary<string, Issued> _issued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _uids = new(StringComparer.Ordinal);

    /// <summary>TokenReviews answered so far (tests check that results are cached).</summary>
    public int Reviews => Volatile.Read(ref _reviews);
    private int _reviews;

    /// <summary>What the kubelet writes into a projected <c>serviceAccountToken</c> volume.</summary>
    public string Issue(string ns, string serviceAccount, string audience, TimeSpan lifetime)
    {
        var token = "emulated-sa-token." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var uid = _uids.GetOrAdd($"{ns}/{serviceAccount}", _ => Guid.NewGuid().ToString());
        _issued[token] = new Issued(ns, serviceAccount, uid, [audience], time.GetUtcNow() + lifetime);
        return token;
    }

    /// <summary><c>POST /apis/authentication.k8s.io/v1/tokenreviews</c>: the review with its status filled in.</summary>
    public ApiResult Review(JsonObject body)
    {
        Interlocked.Increment(ref _reviews);
        var token = body["spec"]?["token"]?.GetValue<string>();
        if (string.IsNullOrEmpty(token)) return ApiResult.Failure(422, "Invalid", "spec.token: Required value");
        var wanted = body["spec"]?["audiences"]?.AsArray().Select(a => a!.GetValue<string>()).ToArray() ?? [];
        JsonObject status;
        if (!_issued.TryGetValue(token, out var issued))
            status = Unauthenticated("invalid bearer token");
        else if (issued.Expires <= time.GetUtcNow())
            status = Unauthenticated("invalid bearer token, token has expired");
        else if (wanted.Length > 0 && !wanted.Intersect(issued.Audiences, StringComparer.Ordinal).Any())
            status = Unauthenticated("invalid bearer token, token audiences is invalid for the target audiences");
        else
            status = new JsonObject
            {
                ["authenticated"] = true,
                ["user"] = new JsonObject
                {
                    ["username"] = $"system:serviceaccount:{issued.Namespace}:{issued.ServiceAccount}",
                    ["uid"] = issued.Uid,
                    ["groups"] = new JsonArray("system:serviceaccounts", $"system:serviceaccounts:{issued.Namespace}", "system:authenticated"),
                },
                ["audiences"] = new JsonArray([.. (wanted.Length > 0 ? wanted.Intersect(issued.Audiences) : issued.Audiences).Select(a => (JsonNode)a)]),
            };
        var review = new JsonObject
        {
            ["kind"] = "TokenReview",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = body["spec"]?.DeepClone(),
            ["status"] = status,
        };
        return ApiResult.Created(review);
    }

    private static JsonObject Unauthenticated(string error) => new() { ["user"] = new JsonObject(), ["error"] = error };
}
