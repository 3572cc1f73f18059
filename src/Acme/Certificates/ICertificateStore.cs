using Ballast.Acme.Issuance;

namespace Ballast.Acme.Certificates;

/// <summary>
/// Where obtained certificates are kept so a restart does not re-issue: a kubernetes.io/tls Secret in the
/// operator, files in standalone mode.
/// </summary>
public interface ICertificateStore
{
    /// <returns>null when nothing is stored under <paramref name="name"/>.</returns>
    Task<IssuedCertificate?> LoadAsync(string name, CancellationToken ct);
    Task SaveAsync(string name, IssuedCertificate certificate, CancellationToken ct);
}
