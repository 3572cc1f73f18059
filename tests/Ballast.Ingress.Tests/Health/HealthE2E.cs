using System.Text.Json;
using Ballast.Ingress.Hosting;
using Ballast.Ingress.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Ballast.Ingress.Tests.Health;

/// <summary>Helpers shared by the end-to-end health tests: an ingress with captured health logs, the admin JSON view.</summary>
internal static class HealthE2E
{
    public static async Task<(IngressFixture Ingress, CapturedLogs Logs)> StartAsync()
    {
        var logs = new CapturedLogs();
        var ingress = await IngressFixture.StartAsync(new IngressOptions
        {
            ConfigureLogging = b => { b.AddProvider(logs); b.SetMinimumLevel(LogLevel.Information); },
        });
        return (ingress, logs);
    }

    /// <summary>The <c>state</c> of an endpoint in <c>/admin/pools</c> (null when absent).</summary>
    public static async Task<string?> StateAsync(IngressFixture ingress, string pool, string endpoint)
    {
        using var doc = JsonDocument.Parse(await ingress.Admin.GetStringAsync("/admin/pools"));
        foreach (var p in doc.RootElement.GetProperty("pools").EnumerateArray())
        {
            if (p.GetProperty("id").GetString() != pool)
            {
                continue;
            }

            foreach (var e in p.GetProperty("endpoints").EnumerateArray())
            {
                if (e.GetProperty("id").GetString() == endpoint)
                {
                    return e.GetProperty("state").GetString();
                }
            }
        }

        return null;
    }

    public static async Task<string?> ModeAsync(IngressFixture ingress, string pool)
    {
        using var doc = JsonDocument.Parse(await ingress.Admin.GetStringAsync("/admin/pools"));
        return doc.RootElement.GetProperty("pools").EnumerateArray()
            .FirstOrDefault(p => p.GetProperty("id").GetString() == pool).GetProperty("mode").GetString();
    }

    /// <summary>Polls the admin view (real time, bounded) until the endpoint is in <paramref name="state"/>.</summary>
    public static Task WaitForStateAsync(IngressFixture ingress, string pool, string endpoint, string state) =>
        Eventually.GetAsync(() => StateAsync(ingress, pool, endpoint), s => s == state, $"{endpoint} of {pool} to be {state}");
}
