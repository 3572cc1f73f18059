using Ballast.Model.Validation;
using Ballast.Testing;

namespace Ballast.Model.Tests.Validation;

public class ValidatorTests
{
    /// <summary>Each sample is a configuration of its own (two may well use the same port): every folder holding YAML.</summary>
    public static IReadOnlyList<string> SampleFolderNames() => [.. Directory.GetDirectories(RepoPaths.Of("samples"), "*", SearchOption.AllDirectories)
        .Where(d => Directory.GetFiles(d, "*.yaml").Length > 0)
        .Select(d => Path.GetRelativePath(RepoPaths.Of("samples"), d).Replace('\\', '/'))
        .Order(StringComparer.Ordinal)];

    public static TheoryData<string> SampleFolders() => [.. SampleFolderNames()];

    [Theory]
    [MemberData(nameof(SampleFolders))]
    public void Each_sample_validates_with_exit_code_0(string folder)
    {
        var output = new StringWriter();
        var code = Validator.Run(RepoPaths.Of("samples", folder), output);
        Assert.True(code == 0, output.ToString());
        var lines = output.ToString().Trim().Split('\n');
        Assert.StartsWith("OK: ", lines[^1]);
        // The Kubernetes samples name Services this dry run cannot see: warnings, not errors. Their Deployments are
        // listed as ignored, and Argo CD's Application (another project's API group) is skipped with a warning.
        Assert.All(lines[..^1], l => Assert.True(
            l.StartsWith("warning: ", StringComparison.Ordinal) && (l.Contains("(not checked: no cluster)", StringComparison.Ordinal)
                || l.Contains("\"argoproj.io/v1alpha1\" is not an API group Ballast reads", StringComparison.Ordinal))
            || l.StartsWith("ignored (kinds Ballast does not read): ", StringComparison.Ordinal), l));
    }

    [Fact]
    public void A_broken_copy_fails_with_exit_code_1_and_names_file_line_and_field()
    {
        var dir = Directory.CreateTempSubdirectory("ballast-validate-");
        try
        {
            foreach (var file in Directory.GetFiles(RepoPaths.Of("samples", "canary"), "*.yaml"))
                File.Copy(file, Path.Combine(dir.FullName, Path.GetFileName(file)));
            var policy = Path.Combine(dir.FullName, "policy.yaml");
            File.WriteAllText(policy, File.ReadAllText(policy).Replace("pool: shop-v2\n          weight: 10", "pool: shop-v3\n          weight: 10"));
            File.AppendAllText(Path.Combine(dir.FullName, "pools.yaml"), "---\napiVersion: ballast.dev/v1alpha1\nkind: BackendPool\nmetadata: { name: x }\nspec:\n  endpoints: [ { address: \"127.0.0.1:1\", weight: 2000 } ]\n");

            var output = new StringWriter();
            Assert.Equal(1, Validator.Run(dir.FullName, output));
            var lines = output.ToString().Trim().Split('\n');
            Assert.Contains("policy.yaml:19:17: LoadBalancerPolicy default/canary: spec.routes[0].backends[1].pool: BackendPool \"shop-v3\" not found in namespace \"default\"", lines);
            Assert.Contains(lines, l => l.StartsWith("pools.yaml:", StringComparison.Ordinal) && l.Contains("BackendPool default/x: spec.endpoints[0].weight: must be between 1 and 1000, got 2000"));
            Assert.Equal($"2 errors in {dir.FullName}", lines[^1]);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void An_Ingress_naming_a_Service_the_folder_lacks_gets_the_operators_ServiceNotFound_as_a_warning_naming_its_field()
    {
        var dir = Directory.CreateTempSubdirectory("ballast-validate-");
        try
        {
            foreach (var file in Directory.GetFiles(RepoPaths.Of("samples", "ingress", "standalone"), "*.yaml"))
                File.Copy(file, Path.Combine(dir.FullName, Path.GetFileName(file)));
            var ingress = Path.Combine(dir.FullName, "ingress.yaml");
            File.WriteAllText(ingress, File.ReadAllText(ingress).Replace("service: { name: echo,", "service: { name: echo-v2,", StringComparison.Ordinal));

            var output = new StringWriter();
            Assert.Equal(0, Validator.Run(dir.FullName, output));
            var lines = output.ToString().Trim().Split('\n');
            // The same reason and words as the operator's event, at the line of the field; a warning, since the
            // Service may exist in the cluster the folder is applied to.
            Assert.Contains("warning: ingress.yaml:29:41: Ingress default/shop: spec.rules[0].http.paths[0].backend.service.name: "
                + "Service \"echo-v2\" not found in namespace \"default\" (not checked: no cluster)", lines);

            // The Service in the folder: nothing to say.
            File.WriteAllText(ingress, File.ReadAllText(ingress).Replace("echo-v2", "echo", StringComparison.Ordinal));
            output = new StringWriter();
            Assert.Equal(0, Validator.Run(dir.FullName, output));
            Assert.DoesNotContain("not found", output.ToString(), StringComparison.Ordinal);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void A_missing_directory_is_an_error()
    {
        var output = new StringWriter();
        Assert.Equal(1, Validator.Run("/nonexistent/ballast", output));
        Assert.Contains("no such directory", output.ToString());
    }
}
