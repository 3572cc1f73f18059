using System.Text.Json.Serialization;

namespace Ballast.Model.Resources;

[JsonConverter(typeof(JsonStringEnumConverter<AccessLogFormat>))]
public enum AccessLogFormat { Off, Json, Template }

[JsonConverter(typeof(JsonStringEnumConverter<AccessLogSampling>))]
public enum AccessLogSampling { All, Errors, Ratio }

/// <summary>
/// One line per request, written off the request path: on a listener for every request it takes, on a route to
/// override the listener's setting for that route (format Off turns it off there).
/// </summary>
public sealed class AccessLogSpec
{
    /// <summary>Off, Json (one JSON object per line) or Template (the template with its {field} names filled in).</summary>
    public AccessLogFormat Format { get; set; } = AccessLogFormat.Json;
    /// <summary>Format Template: text with {field} names, e.g. "{time} {client_address} {method} {path} {status} {duration_ms}" (see docs/access-logs.md for the fields).</summary>
    public string? Template { get; set; }
    /// <summary>An absolute path to append to (reopened on SIGUSR1 and when it grows past maxFileBytes); standard output when absent.</summary>
    public string? File { get; set; }
    /// <summary>Rotate the file when it grows past this many bytes: it becomes FILE.1 (older ones shift up to keepFiles).</summary>
    public long? MaxFileBytes { get; set; }
    /// <summary>Rotated files kept beside the file (FILE.1 is the newest); 5 when absent.</summary>
    public int? KeepFiles { get; set; }
    /// <summary>Which requests are logged: All, Errors (status 400 and above, or no response) or Ratio (a random share, see ratio).</summary>
    public AccessLogSampling Sampling { get; set; } = AccessLogSampling.All;
    /// <summary>Sampling Ratio: the share of requests logged, above 0 and at most 1 (0.01 is one in a hundred).</summary>
    public double? Ratio { get; set; }
}
