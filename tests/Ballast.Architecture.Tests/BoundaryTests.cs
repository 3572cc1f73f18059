using System.Reflection;
using System.Xml.Linq;
using Ballast.Testing;
using NetArchTest.Rules;

namespace Ballast.Architecture.Tests;

/// <summary>
/// The boundaries of docs/architecture.md, checked on the compiled assemblies (every type, field, signature
/// and method body: NetArchTest reads the IL) and on the project files. A failure names the offending type
/// and the dependency it may not have.
/// </summary>
public class BoundaryTests
{
    private static readonly Assembly Model = typeof(Ballast.Model.Snapshots.Snapshot).Assembly;
    private static readonly Assembly Acme = typeof(Ballast.Acme.Listeners.CertificateSupervisor).Assembly;
    private static readonly Assembly Ingress = typeof(Ballast.Ingress.Hosting.IngressHost).Assembly;
    private static readonly Assembly Operator = typeof(Ballast.Operator.OperatorHost).Assembly;

    [Fact]
    public void Project_references_follow_the_declared_list()
    {
        var problems = new List<string>();
        foreach (var (project, allowed) in Layers.Projects)
        {
            var file = Path.Combine(RepoPaths.Root, "src", project, $"Ballast.{project}.csproj");
            var references = XDocument.Load(file).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value).Replace("Ballast.", ""));
            problems.AddRange(references.Except(allowed).Select(r => $"src/{project} references {r}; it may reference only [{string.Join(", ", allowed)}]"));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData("Model", new[] { "Ballast.Acme", "Ballast.Ingress", "Ballast.Operator" })]
    [InlineData("Acme", new[] { "Ballast.Ingress", "Ballast.Operator" })]
    [InlineData("Ingress", new[] { "Ballast.Operator" })]
    [InlineData("Operator", new[] { "Ballast.Ingress" })]
    public void Assemblies_never_use_what_they_may_not_reference(string project, string[] forbidden)
    {
        var assembly = project switch { "Model" => Model, "Acme" => Acme, "Ingress" => Ingress, _ => Operator };
        Assert.True(forbidden.All(f => !Layers.Projects[project].Contains(f.Replace("Ballast.", ""))), "the test's list contradicts Layers.Projects");
        var problems = Offenders(Types.InAssembly(assembly), $"Ballast.{project}", forbidden);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Ingress_folders_use_only_what_their_layer_allows()
    {
        var folders = Layers.Ingress.Select(l => l.Folder).ToList();
        var problems = new List<string>();
        foreach (var (folder, _, mayUse) in Layers.Ingress)
        {
            var forbidden = folders.Where(f => f != folder && !mayUse.Contains(f)).Select(f => $"Ballast.Ingress.{f}").ToArray();
            problems.AddRange(Offenders(Types.InAssembly(Ingress), $"Ballast.Ingress.{folder}", forbidden)
                .Select(p => $"{p} (src/Ingress/{folder} may use only [{string.Join(", ", mayUse)}])"));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Stages_never_depend_on_edges_and_the_declared_layers_have_no_cycle()
    {
        var kinds = Layers.Ingress.ToDictionary(l => l.Folder, l => l.Kind);
        var problems = new List<string>();
        var seen = new HashSet<string>();
        foreach (var (folder, kind, mayUse) in Layers.Ingress)
        {
            // Listing bottom to top and using only folders listed earlier is what makes the graph acyclic.
            problems.AddRange(mayUse.Where(u => !seen.Contains(u)).Select(u => $"{folder} may use {u}, which is not listed below it"));
            if (kind is Layers.Kind.Stage or Layers.Kind.Foundation)
            {
                problems.AddRange(mayUse.Where(u => kinds[u] is Layers.Kind.Edge or Layers.Kind.Runtime or Layers.Kind.Forwarding)
                    .Select(u => $"{kind} {folder} may use {kinds[u]} {u}"));
            }
            seen.Add(folder);
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Every_Ingress_folder_and_namespace_is_declared()
    {
        var declared = Layers.Ingress.Select(l => l.Folder).ToHashSet();
        var onDisk = Directory.GetDirectories(Path.Combine(RepoPaths.Root, "src", "Ingress")).Select(Path.GetFileName)
            .Where(d => d is not ("bin" or "obj" or "Properties"));
        var namespaces = Ingress.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith("Ballast.Ingress.", StringComparison.Ordinal))
            .Select(n => n.Split('.')[2]);
        var undeclared = onDisk.Concat(namespaces).Where(f => !declared.Contains(f!)).Distinct().Order().ToList();
        Assert.True(undeclared.Count == 0, $"src/Ingress folders missing from Layers.Ingress: {string.Join(", ", undeclared)}");
    }

    /// <summary>"Type uses Dependency" lines for the types of <paramref name="scope"/> that use any of <paramref name="forbidden"/>.</summary>
    private static List<string> Offenders(Types types, string scope, string[] forbidden)
    {
        var problems = new List<string>();
        if (forbidden.Length == 0) return problems;
        var result = types.That().ResideInNamespace(scope).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        if (result.IsSuccessful) return problems;
        // Only on failure: which forbidden namespace each offending type uses.
        foreach (var dependency in forbidden)
        {
            var byDependency = types.That().ResideInNamespace(scope).ShouldNot().HaveDependencyOn(dependency).GetResult();
            if (byDependency.IsSuccessful) continue;
            problems.AddRange(byDependency.FailingTypeNames.Select(t => $"{t} uses {dependency}"));
        }
        return problems;
    }
}
