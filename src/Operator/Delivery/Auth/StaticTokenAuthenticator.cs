using System.Security.Cryptography;
using System.Text;

namespace Ballast.Operator.Delivery.Auth;

/// <summary>
/// One shared bearer token (<c>BALLAST_SNAPSHOT_TOKEN</c>): for running the operator outside a cluster, where no
/// kubelet projects ServiceAccount tokens. In a cluster the chart uses <see cref="TokenReviewAuthenticator"/>.
/// </summary>
public sealed class StaticTokenAuthenticator(string token) : IReplicaAuthenticator
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes(token);

    public ValueTask<AuthResult> AuthenticateAsync(string? authorization, CancellationToken ct)
    {
        var presented = IReplicaAuthenticator.BearerToken(authorization);
        if (presented is null) return ValueTask.FromResult(AuthResult.Refused(AuthFailure.Missing, "no bearer token"));
        return ValueTask.FromResult(CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expected)
            ? AuthResult.Allowed("static token")
            : AuthResult.Refused(AuthFailure.Invalid, "wrong token"));
    }
}
