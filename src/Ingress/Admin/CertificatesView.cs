using System.Text.Json;
using Ballast.Acme.Listeners;

namespace Ballast.Ingress.Admin;

/// <summary>
/// The JSON of <c>/admin/certificates</c>: per ACME listener its hostnames and certificate state.
/// <code>
/// { "certificates": [ { "listener": "default/site/https", "hostnames": ["shop.example"], "ready": true,
///   "notAfter": "...", "renewAt": "...", "serialNumber": "...", "message": "...", "consecutiveFailures": 0,
///   "nextAttemptAt": null } ] }
/// </code>
/// </summary>
public static class CertificatesView
{
    public static async Task WriteAsync(Stream output, IReadOnlyList<AcmeListenerStatus> statuses, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("certificates");
        foreach (var status in statuses)
        {
            var certificate = status.Certificate;
            json.WriteStartObject();
            json.WriteString("listener", status.Key);
            json.WriteStartArray("hostnames");
            foreach (var host in status.Listener.Hostnames) json.WriteStringValue(host);
            json.WriteEndArray();
            json.WriteBoolean("ready", certificate.Ready);
            WriteTime(json, "notAfter", certificate.NotAfter);
            WriteTime(json, "renewAt", certificate.RenewAt);
            json.WriteString("serialNumber", certificate.SerialNumber);
            json.WriteString("message", certificate.Message);
            json.WriteNumber("consecutiveFailures", certificate.ConsecutiveFailures);
            WriteTime(json, "nextAttemptAt", certificate.NextAttemptAt);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } v) json.WriteString(name, v);
        else json.WriteNull(name);
    }
}
