using System.Collections.Immutable;
using System.Security.Cryptography;

namespace Ballast.Ingress.Affinity;

/// <summary>
/// The secret keys that sign affinity cookies, newest first: the newest signs, every key verifies, so a key is
/// rotated by prepending a new one and dropping the old one after the cookie TTL. Every replica must load the
/// same list (a file mounted from one Secret) for any replica to honour a cookie another one issued.
/// </summary>
public sealed class AffinityKeyRing
{
    public const int MinKeyBytes = 32;

    public AffinityKeyRing(IEnumerable<byte[]> newestFirst)
    {
        Keys = [.. newestFirst];
        if (Keys.IsEmpty) throw new ArgumentException("at least one affinity key is required", nameof(newestFirst));
        foreach (var key in Keys)
        {
            if (key.Length < MinKeyBytes) throw new ArgumentException($"affinity keys must be at least {MinKeyBytes} bytes", nameof(newestFirst));
        }
    }

    /// <summary>Newest first; <c>Keys[0]</c> signs.</summary>
    public ImmutableArray<byte[]> Keys { get; }

    /// <summary>A random key for a single replica with no key file: its cookies do not survive a restart.</summary>
    public static AffinityKeyRing Random() => new([RandomNumberGenerator.GetBytes(MinKeyBytes)]);

    /// <summary>
    /// Reads a key file: one base64 key (≥ 32 bytes decoded) per line, newest first; blank lines and lines starting
    /// with '#' are ignored. Errors name the file and the line.
    /// </summary>
    public static AffinityKeyRing Load(string path)
    {
        var keys = new List<byte[]>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            byte[] key;
            try { key = Convert.FromBase64String(line); }
            catch (FormatException) { throw new FormatException($"--affinity-key-file {path}: line {i + 1} is not base64"); }
            if (key.Length < MinKeyBytes)
                throw new FormatException($"--affinity-key-file {path}: line {i + 1}: key is {key.Length} bytes, at least {MinKeyBytes} are required");
            keys.Add(key);
        }
        if (keys.Count == 0) throw new FormatException($"--affinity-key-file {path}: no key found (one base64 key per line, newest first)");
        return new AffinityKeyRing(keys);
    }
}
