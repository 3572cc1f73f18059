namespace Ballast.Ingress.Sources;

/// <summary>
/// The bearer token a replica presents to the operator, read from a file at every request: in a cluster it is the
/// projected ServiceAccount token (audience <c>ballast-operator</c>), which the kubelet rewrites well before it
/// expires, so a token read once at start would stop working after its lifetime.
/// </summary>
public sealed class TokenFile(string path)
{
    public string Path => path;

    /// <summary>The token; <see cref="IOException"/> naming the file when it cannot be read or is empty.</summary>
    public string Read()
    {
        string token;
        try { token = File.ReadAllText(path).Trim(); }
        catch (UnauthorizedAccessException e) { throw new IOException($"--token-file: {path}: {e.Message}", e); }
        catch (IOException e) { throw new IOException($"--token-file: {path}: {e.Message}", e); }
        return token.Length > 0 ? token : throw new IOException($"--token-file: {path} is empty");
    }
}
