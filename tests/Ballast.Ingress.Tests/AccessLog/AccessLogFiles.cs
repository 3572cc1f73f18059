using System.Text.Json;
using Ballast.Ingress.Tests.L4.Support;

namespace Ballast.Ingress.Tests.AccessLog;

/// <summary>A temporary folder for access-log files, and reading the lines back.</summary>
internal sealed class AccessLogFiles : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("ballast-access-").FullName;
    public string File => Path.Combine(Folder, "access.log");

    public string[] Lines(string? file = null) =>
        System.IO.File.Exists(file ?? File) ? System.IO.File.ReadAllLines(file ?? File) : [];

    /// <summary>Waits until the writer has written <paramref name="count"/> lines in all, then reads the file's JSON lines.</summary>
    public static async Task WaitForLinesAsync(Ballast.Ingress.Hosting.IngressHost host, int count) =>
        await Eventually.True(() => host.AccessLog.Written >= count, $"{count} access-log lines written (written: {host.AccessLog.Written})");

    public static JsonElement Json(string line) => JsonDocument.Parse(line).RootElement;

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
