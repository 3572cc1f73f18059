using Ballast.Acme.Issuance;

namespace Ballast.Acme.Certificates;

/// <summary>
/// Standalone mode: <c>{name}.crt</c> (chain PEM) and <c>{name}.key</c> (PKCS#8 PEM, mode 0600) in a folder.
/// Each file is written to a temporary name and renamed, so a reader never sees half a file.
/// </summary>
public sealed class FileCertificateStore(string directory) : ICertificateStore
{
    public async Task<IssuedCertificate?> LoadAsync(string name, CancellationToken ct)
    {
        var (crt, key) = Paths(name);
        if (!File.Exists(crt) || !File.Exists(key)) return null;
        var chain = await File.ReadAllTextAsync(crt, ct).ConfigureAwait(false);
        var privateKey = await File.ReadAllTextAsync(key, ct).ConfigureAwait(false);
        try
        {
            return new IssuedCertificate(chain, privateKey);
        }
        catch (Exception ex) when (ex is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            // A damaged pair is as good as none: the manager obtains a new certificate and overwrites it.
            return null;
        }
    }

    public async Task SaveAsync(string name, IssuedCertificate certificate, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var (crt, key) = Paths(name);
        await WriteAtomicallyAsync(key, certificate.PrivateKeyPem, secret: true, ct).ConfigureAwait(false);
        await WriteAtomicallyAsync(crt, certificate.ChainPem, secret: false, ct).ConfigureAwait(false);
    }

    private (string Crt, string Key) Paths(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.StartsWith('.'))
        {
            throw new ArgumentException($"'{name}' cannot be used as a certificate file name.", nameof(name));
        }
        return (Path.Combine(directory, name + ".crt"), Path.Combine(directory, name + ".key"));
    }

    private static async Task WriteAtomicallyAsync(string path, string content, bool secret, CancellationToken ct)
    {
        var temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, content, ct).ConfigureAwait(false);
        if (secret && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
