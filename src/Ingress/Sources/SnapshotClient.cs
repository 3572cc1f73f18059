using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ballast.Model.Serialization;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Sources;

/// <summary>
/// The replica side of snapshot delivery: long-polls the operator (<c>GET /v1/snapshot?after=N&amp;hash=H&amp;replica=ID</c>
/// with a bearer token: the replica's projected ServiceAccount token, re-read for every request because the kubelet
/// rotates it), hands each new snapshot to <c>apply</c>, reports the applied version
/// (<c>POST /v1/replicas/{id}</c>) and writes it to <see cref="LastGoodPath"/>. At start it applies the file's
/// snapshot first, so a replica that restarts while the operator is away keeps serving its last good config.
/// </summary>
public sealed class SnapshotClient(
    HttpClient http,
    string replicaId,
    Func<string> token,
    string lastGoodPath,
    Func<Snapshot, CancellationToken, Task> apply,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>With a fixed token (a static token outside a cluster, tests).</summary>
    public SnapshotClient(HttpClient http, string replicaId, string token, string lastGoodPath, Func<Snapshot, CancellationToken, Task> apply,
        TimeProvider time, ILogger logger)
        : this(http, replicaId, () => token, lastGoodPath, apply, time, logger) { }

    public string LastGoodPath => lastGoodPath;

    /// <summary>The version this replica runs (0: none).</summary>
    public long AppliedVersion { get; private set; }
    public string? AppliedHash { get; private set; }

    /// <summary>Applies the last good snapshot from disk, if any; a damaged file is logged and ignored.</summary>
    public async Task<bool> LoadLastGoodAsync(CancellationToken ct)
    {
        if (!File.Exists(lastGoodPath)) return false;
        try
        {
            var snapshot = Read(await File.ReadAllBytesAsync(lastGoodPath, ct), logger);
            if (snapshot is null) return false;
            await apply(snapshot, ct);
            AppliedVersion = snapshot.Version;
            AppliedHash = snapshot.ContentHash;
            logger.LogInformation("started from last good snapshot {Version} in {Path}", snapshot.Version, lastGoodPath);
            return true;
        }
        catch (JsonException e)
        {
            logger.LogWarning("{Path}: not a snapshot ({Error}); waiting for the operator", lastGoodPath, e.Message);
            return false;
        }
    }

    /// <summary>
    /// A snapshot from JSON, strictly; one with fields this replica does not know (written by a newer operator
    /// during a rolling upgrade) is applied without them and said in a warning, rather than refused until the
    /// replica is upgraded too. Anything else malformed still throws.
    /// </summary>
    internal static Snapshot? Read(byte[] json, ILogger logger)
    {
        try
        {
            return JsonSerializer.Deserialize<Snapshot>(json, ModelJson.Options);
        }
        catch (JsonException strict) when (strict.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var snapshot = JsonSerializer.Deserialize<Snapshot>(json, ModelJson.SkippingUnknownFields);
            logger.LogWarning("Snapshot {Version} has fields this replica does not know, probably from a newer operator: {Error} Applied without them; upgrade the replica.",
                snapshot?.Version, strict.Message);
            return snapshot;
        }
    }

    /// <summary>One long-poll: true when a new snapshot was applied.</summary>
    public async Task<bool> PollOnceAsync(CancellationToken ct)
    {
        var url = $"v1/snapshot?after={AppliedVersion}&replica={Uri.EscapeDataString(replicaId)}" +
                  (AppliedHash is null ? "" : $"&hash={Uri.EscapeDataString(AppliedHash)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token());
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.NotModified) return false;
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var snapshot = Read(body, logger) ?? throw new JsonException("the operator sent an empty snapshot");
        await apply(snapshot, ct);
        AppliedVersion = snapshot.Version;
        AppliedHash = snapshot.ContentHash;
        await PersistAsync(body, ct);
        await ReportAsync(ct);
        return true;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await LoadLastGoodAsync(ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("{Path}: could not apply the last good snapshot ({Error}); waiting for the operator", lastGoodPath, e.Message);
        }
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(ct);
                backoff = TimeSpan.FromMilliseconds(200);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Never let the replica's loop die (HTTP, JSON, I/O, a snapshot the data plane rejects).
                // Operator away or a bad answer: keep serving what we have and try again, slower each time.
                logger.LogWarning("snapshot poll: {Error}; keeping version {Version}, retrying in {Delay}", e.Message, AppliedVersion, backoff);
                try { await Task.Delay(backoff, time, ct); } catch (OperationCanceledException) { break; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task ReportAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/replicas/{Uri.EscapeDataString(replicaId)}")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { version = AppliedVersion, hash = AppliedHash }), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token());
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Write-then-rename, so a crash mid-write never leaves a torn last-good file.</summary>
    private async Task PersistAsync(byte[] body, CancellationToken ct)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(lastGoodPath))!;
        Directory.CreateDirectory(dir);
        var temp = lastGoodPath + ".tmp";
        await File.WriteAllBytesAsync(temp, body, ct);
        File.Move(temp, lastGoodPath, overwrite: true);
    }
}
