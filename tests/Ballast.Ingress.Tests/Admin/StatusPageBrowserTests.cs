using System.Collections.Concurrent;
using System.Diagnostics;
using Ballast.Ingress.Sources;
using Ballast.Ingress.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using PuppeteerSharp;

namespace Ballast.Ingress.Tests.Admin;

/// <summary>
/// The status page in a real headless Chromium (Debian's, driven over the DevTools protocol by PuppeteerSharp; nothing
/// downloaded): the quickstart sample, on this test's ports, shows its three endpoints healthy with no console error,
/// and the endpoint whose backend is killed turns red within the quickstart's health-check detection time plus two
/// polls of the page. A screenshot is kept under the test output folder (TestArtifacts/status-page.png).
/// </summary>
[Trait("Category", "Integration")]
public sealed class StatusPageBrowserTests
{
    [Fact]
    public async Task The_status_page_shows_the_quickstart_endpoints_and_turns_one_red_when_its_backend_is_killed()
    {
        var chromium = ExternalTool.Require("chromium");
        var backends = new[] { await TestBackend.StartAsync("echo-1"), await TestBackend.StartAsync("echo-2"), await TestBackend.StartAsync("echo-3") };
        var running = backends.ToList();
        var folder = Directory.CreateTempSubdirectory("ballast-status-page-").FullName;
        try
        {
            var port = FreePort.Next();
            CopyQuickstart(folder, port, backends);
            await using var ingress = await IngressFixture.StartAsync();
            await using var source = new FolderSnapshotSource(folder, ingress.Host, TimeProvider.System, TimeSpan.FromMilliseconds(50), NullLogger<FolderSnapshotSource>.Instance);
            Assert.True(await source.ReloadAsync(), string.Join("\n", source.LastDiagnostics));

            await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic"],
            });
            await using var page = await browser.NewPageAsync();
            await page.SetViewportAsync(new ViewPortOptions { Width = 1366, Height = 900 }); // a laptop screen
            var problems = new ConcurrentQueue<string>();
            page.Console += (_, e) => { if (e.Message.Type == ConsoleType.Error) problems.Enqueue("console: " + e.Message.Text); };
            page.PageError += (_, e) => problems.Enqueue("page error: " + e.Message);
            page.RequestFailed += (_, e) => problems.Enqueue("request failed: " + e.Request.Url);

            var response = await page.GoToAsync($"http://127.0.0.1:{ingress.Host.AdminPort}/");
            Assert.True(response.Ok, $"the page answered {response.Status}");
            const string Healthy = "() => document.querySelectorAll('.endpoint[data-pool=\"default/echo\"][data-state=\"healthy\"]').length === 3";
            await page.WaitForFunctionAsync(Healthy, new WaitForFunctionOptions { Timeout = 10_000, PollingInterval = 50 });
            var shown = await page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('.endpoint[data-endpoint]')].map(e => e.dataset.endpoint)");
            Assert.Equal(backends.Select(b => b.Address).Order(), shown.Order());
            Assert.Contains("default/quickstart/all", await page.EvaluateExpressionAsync<string>("document.querySelector('#routes').innerText"));

            // Kill the second backend: its row turns red (state unhealthy, the red border) within the quickstart's health
            // settings (2 failures × a 2 s interval stretched by up to 10% jitter, 500 ms probe timeout) plus two page polls
            // (1 s each) and a second of slack.
            var killed = backends[1];
            running.Remove(killed);
            await killed.DisposeAsync();
            var clock = Stopwatch.StartNew();
            var red = $"() => {{ const e = document.querySelector('.endpoint[data-endpoint=\"{killed.Address}\"]');"
                + " return e !== null && e.dataset.state === 'unhealthy' && getComputedStyle(e).borderLeftColor === 'rgb(217, 45, 32)'; }";
            await page.WaitForFunctionAsync(red, new WaitForFunctionOptions { Timeout = 15_000, PollingInterval = 50 });
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2 * 2.2 + 0.5 + 2 * 1 + 1), $"turned red after {clock.Elapsed.TotalSeconds:F1} s");
            var states = await page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('.endpoint[data-endpoint]')].map(e => e.dataset.state)");
            Assert.Equal(["healthy", "healthy", "unhealthy"], states.Order());

            var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestArtifacts")).FullName;
            var screenshot = Path.Combine(artifacts, "status-page.png");
            await page.ScreenshotAsync(screenshot, new ScreenshotOptions { FullPage = true });
            Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is empty");
            Assert.True(problems.IsEmpty, string.Join("\n", problems));
        }
        finally
        {
            foreach (var backend in running) await backend.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>samples/quickstart as shipped, with this test's listener port and backend addresses.</summary>
    private static void CopyQuickstart(string folder, int port, TestBackend[] backends)
    {
        foreach (var file in Directory.GetFiles(RepoPaths.Of("samples", "quickstart"), "*.yaml"))
        {
            var text = File.ReadAllText(file);
            var edited = text.Replace("port: 8080", $"port: {port}", StringComparison.Ordinal);
            for (var i = 0; i < backends.Length; i++) edited = edited.Replace($"127.0.0.1:900{i + 1}", backends[i].Address, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(folder, Path.GetFileName(file)), edited);
        }
        var all = string.Concat(Directory.GetFiles(folder).Select(File.ReadAllText));
        Assert.Contains($"port: {port}", all); // the sample still has the shape this test rewrites
        Assert.All(backends, b => Assert.Contains(b.Address, all));
    }
}
