using System.Collections.Immutable;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;

namespace Ballast.Ingress.Tls;

/// <summary>
/// Standalone mode's edge for TLS files: reads every certificate, key and CA file the resources name
/// (<c>listeners[].tls.certificates[].certificateFile/keyFile</c>, <c>tls.caFile</c>, <c>tls.clientCertificateFile/clientKeyFile</c>)
/// into <see cref="CompilerInput.Secrets"/>, keyed by the path as written (the Compiler looks them up so).
/// A relative path is relative to the configuration folder. A file that cannot be read is left out and the
/// Compiler reports it on the field that names it. The folders holding the files are returned so the caller
/// can watch them too: a renewed certificate on disk is a reload, and so a rotation.
/// </summary>
public static class TlsFileResolver
{
    public sealed record Result(ImmutableDictionary<string, ResolvedSecret> Secrets, ImmutableArray<string> Directories);

    /// <param name="otherFiles">More files resources name (API keys, basic-auth users), read and watched the same way.</param>
    public static Result Resolve(IEnumerable<LoadBalancerPolicy> policies, IEnumerable<BackendPool> pools, string configDirectory,
        IEnumerable<string>? otherFiles = null)
    {
        var paths = new List<string>(otherFiles ?? []);
        foreach (var policy in policies)
            foreach (var listener in policy.Spec.Listeners ?? [])
                foreach (var c in listener.Tls?.Certificates ?? [])
                {
                    if (c.CertificateFile is { } cert) paths.Add(cert);
                    if (c.KeyFile is { } key) paths.Add(key);
                }
        foreach (var pool in pools)
        {
            if (pool.Spec.Tls is not { } tls) continue;
            if (tls.CaFile is { } ca) paths.Add(ca);
            if (tls.ClientCertificateFile is { } cert) paths.Add(cert);
            if (tls.ClientKeyFile is { } key) paths.Add(key);
        }

        var secrets = ImmutableDictionary.CreateBuilder<string, ResolvedSecret>(StringComparer.Ordinal);
        var directories = new SortedSet<string>(StringComparer.Ordinal);
        var root = Path.GetFullPath(configDirectory);
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            var full = Path.GetFullPath(path, root);
            if (Path.GetDirectoryName(full) is { } dir && !dir.StartsWith(root, StringComparison.Ordinal)) directories.Add(dir);
            try
            {
                var bytes = File.ReadAllBytes(full);
                secrets[path] = new ResolvedSecret("file", ImmutableDictionary<string, byte[]>.Empty.Add(Path.GetFileName(full), bytes));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left out: the Compiler names the field ("file ... could not be read").
            }
        }
        return new Result(secrets.ToImmutable(), [.. directories]);
    }
}

/// <summary>Watches folders outside the configuration folder that hold TLS files, calling back on any change.</summary>
public sealed class ExternalFileWatcher : IDisposable
{
    private readonly Action _changed;
    private readonly Dictionary<string, FileSystemWatcher> _watchers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ExternalFileWatcher(Action changed) => _changed = changed;

    /// <summary>Watches exactly these folders from now on (adds new ones, drops the others).</summary>
    public void Watch(IEnumerable<string> directories)
    {
        lock (_lock)
        {
            var wanted = directories.Where(Directory.Exists).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _watchers.Keys.Where(d => !wanted.Contains(d)).ToList())
            {
                _watchers[gone].Dispose();
                _watchers.Remove(gone);
            }
            foreach (var dir in wanted.Where(d => !_watchers.ContainsKey(d)))
            {
                var watcher = new FileSystemWatcher(dir)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
                };
                watcher.Changed += (_, _) => _changed();
                watcher.Created += (_, _) => _changed();
                watcher.Deleted += (_, _) => _changed();
                watcher.Renamed += (_, _) => _changed();
                watcher.EnableRaisingEvents = true;
                _watchers[dir] = watcher;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers.Values) watcher.Dispose();
            _watchers.Clear();
        }
    }
}
