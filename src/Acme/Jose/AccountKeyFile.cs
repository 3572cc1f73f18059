namespace Ballast.Acme.Jose;

/// <summary>Keeps the account key in a file (standalone mode): read it when present, otherwise create it.</summary>
public static class AccountKeyFile
{
    public static AcmeAccountKey LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path)) return AcmeAccountKey.FromPem(File.ReadAllText(path));
        var key = AcmeAccountKey.Generate();
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, "." + Path.GetFileName(path) + ".tmp");
        File.WriteAllText(temp, key.ExportPem());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            File.Move(temp, path, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs, so both talk as the same account.
            File.Delete(temp);
            key.Dispose();
            return AcmeAccountKey.FromPem(File.ReadAllText(path));
        }
    }
}
