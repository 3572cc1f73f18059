using System.Collections.Concurrent;
using Ballast.Acme.Issuance;

namespace Ballast.Acme.Certificates;

public sealed class InMemoryCertificateStore : ICertificateStore
{
    private readonly ConcurrentDictionary<string, IssuedCertificate> _certificates = new(StringComparer.Ordinal);

    public Task<IssuedCertificate?> LoadAsync(string name, CancellationToken ct) =>
        Task.FromResult(_certificates.TryGetValue(name, out var c) ? c : null);

    public Task SaveAsync(string name, IssuedCertificate certificate, CancellationToken ct)
    {
        _certificates[name] = certificate;
        return Task.CompletedTask;
    }
}
