using System.Collections.Immutable;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Compilation;
using Ballast.Model.Ingresses;
using Ballast.Model.Ingresses.Migration;
using Ballast.Model.Yaml;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Sources;

/// <summary>
/// For each Ingress of the migrate corpus (tests/Ballast.Model.Tests/Ingresses/Corpus): one ingress serves the
/// Ingress itself, then the output of <c>ballast migrate --to ballast</c>, both read by the real loaders, with one
/// echo backend per Service; the same requests (every host and path, canary headers and cookies, a CORS
/// preflight, an unknown path) get the same status, backend, body and headers from both. Where an Ingress mirrors
/// (mirror-target naming a Service), the mirror's echo backend gets the same copies from both.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MigrationPreservesBehaviourTests
{
    private static string CorpusDir([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "../../Ballast.Model.Tests/Ingresses/Corpus"));

    public static TheoryData<string, MigrationTarget> Corpus()
    {
        var data = new TheoryData<string, MigrationTarget>();
        foreach (var file in Directory.GetFiles(CorpusDir(), "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal))
        {
            data.Add(file, MigrationTarget.Ballast);
            data.Add(file, MigrationTarget.GatewayApi);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Requests_get_the_same_answer_from_the_Ingress_and_from_its_migration(string file, MigrationTarget target)
    {
        var manifests = new IngressManifests([], [], []);
        IngressManifestReader.Read(File.ReadAllText(Path.Combine(CorpusDir(), file)), file, manifests);
        Assert.Empty(manifests.Diagnostics);
        var httpPort = FreePort.Next();
        var httpsPort = FreePort.Next();

        // One echo backend per Service, answering with its name, the path it got and the Host it saw.
        var mirrors = manifests.Ingresses.Select(MirrorService).OfType<(string Ns, string Name, int? Port, string? PortName)>().Distinct().ToList();
        var services = manifests.Ingresses.SelectMany(Backends).Concat(mirrors).Distinct().ToList();
        var backends = new List<TestBackend>();
        // What each mirror Service received: method, path and query of every copy.
        var copies = mirrors.ToDictionary(m => $"{m.Ns}/{m.Name}", _ => new System.Collections.Concurrent.ConcurrentQueue<string>());
        try
        {
            foreach (var (ns, name, _, _) in services)
                if (!backends.Any(b => b.Name == $"{ns}/{name}"))
                    backends.Add(await TestBackend.StartAsync($"{ns}/{name}", async ctx =>
                    {
                        copies.GetValueOrDefault($"{ns}/{name}")?.Enqueue($"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString}");
                        await ctx.Response.WriteAsync($"{ctx.Request.Path}{ctx.Request.QueryString} host={ctx.Request.Host}");
                    }));
            var resolved = services.GroupBy(s => (s.Ns, s.Name)).ToImmutableDictionary(
                g => $"{g.Key.Ns}/{g.Key.Name}",
                g => new ResolvedService(g.Key.Ns, g.Key.Name, [.. g.Select(s => s).Distinct().Select(s => new ResolvedServicePort(s.PortName, s.Port ?? 80,
                    [new ResolvedEndpoint("127.0.0.1", backends.Single(b => b.Name == $"{g.Key.Ns}/{g.Key.Name}").Port, true, true, false)]))]));
            var secrets = Secrets(manifests.Ingresses);

            var fromIngress = Compiler.Compile(new CompilerInput
            {
                Inputs = [.. manifests.Ingresses, .. manifests.Classes],
                Services = resolved,
                Secrets = secrets,
                Ingress = new IngressServing(httpPort, httpsPort, UnclassedWithoutDefault: true),
            });
            // The corpus names class "nginx", which no IngressClass here claims: serve them as a migration would.
            if (fromIngress.Snapshot.Listeners.IsEmpty)
                fromIngress = Compiler.Compile(new CompilerInput
                {
                    Inputs = [.. manifests.Ingresses, new IngressClass { Metadata = new() { Name = "nginx" }, Spec = new() { Controller = IngressClassSelector.Controller } }],
                    Services = resolved,
                    Secrets = secrets,
                    Ingress = new IngressServing(httpPort, httpsPort),
                });
            var migrated = MigrateCommand.Migrate(manifests, target, httpPort, httpsPort);
            var loaded = ResourceLoader.LoadText(migrated.Output, "migrated.yaml");
            Assert.Empty(loaded.Diagnostics);
            var fromMigration = Compiler.Compile(new CompilerInput
            {
                Policies = loaded.Policies,
                Pools = loaded.Pools,
                Inputs = loaded.Inputs,
                Services = resolved,
                Secrets = secrets,
                Version = 2,
            });
            Assert.DoesNotContain(fromMigration.Diagnostics, d => d.Severity == Severity.Error);

            await using var ingress = await IngressFixture.StartAsync();
            var client = ingress.Client(httpPort);
            var requests = Requests(manifests.Ingresses).ToList();
            await ingress.ApplyAsync(fromIngress.Snapshot with { Version = 1 });
            var first = new List<string>();
            foreach (var r in requests) first.Add(await Answer(client, r));
            var firstCopies = await CopiesAsync(copies, first, "serving the Ingress");
            await ingress.ApplyAsync(fromMigration.Snapshot);
            var second = new List<string>();
            foreach (var r in requests) second.Add(await Answer(client, r));
            var secondCopies = await CopiesAsync(copies, second, "serving its migration");
            // Mirroring is carried over by both outputs (a RequestMirror filter, the native route's mirrors).
            Assert.Equal(firstCopies, secondCopies);

            // Where the report says a feature was left out of (or differs in) the output — HTTPRoute cannot carry everything,
            // and an app-root redirect names the listener's port in both —, the answers may differ: the report is the promise.
            if (!migrated.Report.Contains(target == MigrationTarget.Ballast ? "in the Ballast output" : "in the Gateway API output", StringComparison.Ordinal))
                for (var i = 0; i < first.Count; i++) Assert.Equal(first[i], second[i]);
            // The comparison means something only if the Ingress was served at all (not "no route" everywhere).
            Assert.Contains(first, a => !a.StartsWith("404", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var b in backends) await b.DisposeAsync();
        }
    }

    /// <summary>
    /// Each mirror's copies once every request a backend answered (nothing else is mirrored: not a redirect, a 404 or a
    /// preflight) has been copied; they leave fire and forget, so they are waited for, then taken out, sorted.
    /// </summary>
    private static async Task<List<string>> CopiesAsync(Dictionary<string, System.Collections.Concurrent.ConcurrentQueue<string>> copies, List<string> answers, string when)
    {
        var result = new List<string>();
        foreach (var (name, queue) in copies.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var expected = answers.Count(a => a.Contains(" backend=", StringComparison.Ordinal) && !a.Contains(" backend=- ", StringComparison.Ordinal));
            Assert.True(expected > 0, $"no request reached a backend while {when}");
            await Eventually.True(() => queue.Count >= expected, $"{expected} copies at mirror {name} while {when}");
            var got = new List<string>();
            while (queue.TryDequeue(out var c)) got.Add($"{name} {c}");
            result.AddRange(got.Order(StringComparer.Ordinal));
        }
        return result;
    }

    /// <summary>The Service a mirror-target names in cluster DNS form (<c>http://shadow.default.svc.cluster.local$request_uri</c>), if any.</summary>
    private static (string Ns, string Name, int? Port, string? PortName)? MirrorService(Model.Ingresses.Ingress ing)
    {
        if (ing.Metadata.Annotations?.GetValueOrDefault("nginx.ingress.kubernetes.io/mirror-target") is not { } target) return null;
        var url = new Uri(target.Replace("$request_uri", "/", StringComparison.Ordinal));
        var suffix = $".{ing.NamespaceOrDefault}.svc.cluster.local";
        return url.Host.EndsWith(suffix, StringComparison.Ordinal) ? (ing.NamespaceOrDefault, url.Host[..^suffix.Length], url.Port, null) : null;
    }

    private sealed record Probe(string Method, string Host, string Path, (string Name, string Value)[] Headers);

    /// <summary>Every host and path of the Ingresses, a deeper path, and the variations canaries and CORS react to.</summary>
    private static IEnumerable<Probe> Requests(IEnumerable<Model.Ingresses.Ingress> ingresses)
    {
        var seen = new HashSet<string>();
        foreach (var ing in ingresses)
            foreach (var rule in ing.Spec.Rules ?? [new Model.Ingresses.IngressRule()])
            {
                var host = (rule.Host ?? "any.example.net").Replace("*.", "tenant1.");
                foreach (var p in rule.Http?.Paths ?? [new Model.Ingresses.HttpIngressPath { Path = "/" }])
                {
                    var path = Literal(p.Path ?? "/");
                    foreach (var probePath in new[] { path, path.TrimEnd('/') + "/deeper/x?q=1", "/elsewhere" })
                    {
                        if (!seen.Add(host + probePath)) continue;
                        yield return new Probe("GET", host, probePath, []);
                        yield return new Probe("GET", host, probePath, [("X-Canary", "always")]);
                        yield return new Probe("GET", host, probePath, [("X-Canary", "never")]);
                        yield return new Probe("GET", host, probePath, [("X-Region", "eu-west")]);
                        yield return new Probe("GET", host, probePath, [("Cookie", "beta=always")]);
                        yield return new Probe("GET", host, probePath, [("Origin", "https://app.example.com")]);
                        yield return new Probe("OPTIONS", host, probePath, [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "PUT")]);
                        yield return new Probe("POST", host, probePath, [("X-User-Id", "u42")]);
                    }
                }
            }
    }

    /// <summary>A request path that a regex path of the corpus matches (its captures filled with plain segments).</summary>
    private static string Literal(string path) => path.Replace("(/|$)(.*)", "/new").Replace("(.*)", "inner");

    private static async Task<string> Answer(HttpClient client, Probe p)
    {
        using var request = new HttpRequestMessage(new HttpMethod(p.Method), p.Path);
        request.Headers.Host = p.Host;
        foreach (var (name, value) in p.Headers) request.Headers.TryAddWithoutValidation(name, value);
        if (p.Method == "POST") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key is not ("Date" or "X-Request-ID" or "Server" or "Transfer-Encoding" or "Set-Cookie"))
            .OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .Select(h => $"{h.Key.ToLowerInvariant()}={string.Join(",", h.Value)}");
        var backend = response.Headers.TryGetValues("X-Backend", out var b) ? string.Join(",", b) : "-";
        return $"{(int)response.StatusCode} {p.Method} {p.Host}{p.Path} [{string.Join(" ", p.Headers.Select(h => h.Name))}] backend={backend} body={body} {string.Join(" ", headers)}";
    }

    private static IEnumerable<(string Ns, string Name, int? Port, string? PortName)> Backends(Model.Ingresses.Ingress ing)
    {
        var ns = ing.NamespaceOrDefault;
        var all = (ing.Spec.Rules ?? []).SelectMany(r => r.Http?.Paths ?? []).Select(p => p.Backend)
            .Append(ing.Spec.DefaultBackend).OfType<Model.Ingresses.IngressBackend>();
        foreach (var b in all)
            if (b.Service is { } s) yield return (ns, s.Name, s.Port?.Number, s.Port?.Name);
        if (ing.Metadata.Annotations?.GetValueOrDefault("nginx.ingress.kubernetes.io/default-backend") is { } errors)
            yield return (ns, errors, 80, null);
    }

    /// <summary>A self-signed certificate per TLS Secret, and an htpasswd Secret for basic auth.</summary>
    private static ImmutableDictionary<string, ResolvedSecret> Secrets(IEnumerable<Model.Ingresses.Ingress> ingresses)
    {
        var result = ImmutableDictionary.CreateBuilder<string, ResolvedSecret>();
        foreach (var ing in ingresses)
        {
            foreach (var tls in ing.Spec.Tls ?? [])
            {
                if (tls.SecretName is not { } name) continue;
                var (cert, key) = SelfSignedCertificate.Create((tls.Hosts?.FirstOrDefault() ?? "example.com").Replace("*.", "wild."));
                result[$"{ing.NamespaceOrDefault}/{name}"] = new ResolvedSecret("kubernetes.io/tls",
                    ImmutableDictionary<string, byte[]>.Empty.Add("tls.crt", Encoding.ASCII.GetBytes(cert)).Add("tls.key", Encoding.ASCII.GetBytes(key)));
            }
            result[$"{ing.NamespaceOrDefault}/basic-auth"] = new ResolvedSecret("Opaque", ImmutableDictionary<string, byte[]>.Empty
                .Add("auth", Encoding.ASCII.GetBytes("foo:$2y$05$" + new string('a', 53) + "\n")));
        }
        return result.ToImmutable();
    }
}
