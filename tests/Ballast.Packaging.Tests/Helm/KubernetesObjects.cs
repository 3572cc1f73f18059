using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Ballast.Packaging.Tests.Helm;

/// <summary>
/// Parses rendered manifests with KubernetesClient's own models in strict mode: a misspelled or misplaced field
/// in a template fails here (a real API server would reject or silently drop it).
/// </summary>
public static class KubernetesObjects
{
    private static readonly Dictionary<string, Func<string, object>> Parsers = new()
    {
        ["v1/ServiceAccount"] = y => KubernetesYaml.Deserialize<V1ServiceAccount>(y, strict: true),
        ["v1/Secret"] = y => KubernetesYaml.Deserialize<V1Secret>(y, strict: true),
        ["v1/Service"] = y => KubernetesYaml.Deserialize<V1Service>(y, strict: true),
        ["apps/v1/Deployment"] = y => KubernetesYaml.Deserialize<V1Deployment>(y, strict: true),
        ["apps/v1/DaemonSet"] = y => KubernetesYaml.Deserialize<V1DaemonSet>(y, strict: true),
        ["policy/v1/PodDisruptionBudget"] = y => KubernetesYaml.Deserialize<V1PodDisruptionBudget>(y, strict: true),
        ["rbac.authorization.k8s.io/v1/ClusterRole"] = y => KubernetesYaml.Deserialize<V1ClusterRole>(y, strict: true),
        ["rbac.authorization.k8s.io/v1/ClusterRoleBinding"] = y => KubernetesYaml.Deserialize<V1ClusterRoleBinding>(y, strict: true),
        ["rbac.authorization.k8s.io/v1/Role"] = y => KubernetesYaml.Deserialize<V1Role>(y, strict: true),
        ["rbac.authorization.k8s.io/v1/RoleBinding"] = y => KubernetesYaml.Deserialize<V1RoleBinding>(y, strict: true),
        ["autoscaling/v2/HorizontalPodAutoscaler"] = y => KubernetesYaml.Deserialize<V2HorizontalPodAutoscaler>(y, strict: true),
        ["networking.k8s.io/v1/NetworkPolicy"] = y => KubernetesYaml.Deserialize<V1NetworkPolicy>(y, strict: true),
        ["networking.k8s.io/v1/IngressClass"] = y => KubernetesYaml.Deserialize<V1IngressClass>(y, strict: true),
        ["apiextensions.k8s.io/v1/CustomResourceDefinition"] = y => KubernetesYaml.Deserialize<V1CustomResourceDefinition>(y, strict: true),
    };

    /// <summary>Prometheus Operator kinds have no model in KubernetesClient: checked by shape instead.</summary>
    private static readonly Dictionary<string, string[]> CustomKinds = new()
    {
        ["monitoring.coreos.com/v1/ServiceMonitor"] = ["selector", "endpoints"],
        ["monitoring.coreos.com/v1/PrometheusRule"] = ["groups"],
    };

    /// <summary>Splits helm's output into documents and parses each; returns (kind, typed object or JSON).</summary>
    public static List<(string Kind, object Value)> ParseAll(string rendered)
    {
        var result = new List<(string, object)>();
        foreach (var doc in SplitDocuments(rendered))
        {
            var json = Support.Yaml.Single(doc);
            var apiVersion = json["apiVersion"]?.GetValue<string>() ?? throw new FormatException("a document without apiVersion:\n" + doc);
            var kind = json["kind"]?.GetValue<string>() ?? throw new FormatException("a document without kind:\n" + doc);
            if (string.IsNullOrEmpty(json["metadata"]?["name"]?.GetValue<string>())) throw new FormatException($"{kind} without metadata.name");
            var key = $"{apiVersion}/{kind}";
            if (Parsers.TryGetValue(key, out var parse))
            {
                try { result.Add((kind, parse(doc))); }
                catch (Exception e) { throw new FormatException($"{key} {json["metadata"]!["name"]}: {e.Message}", e); }
            }
            else if (CustomKinds.TryGetValue(key, out var specFields))
            {
                var spec = json["spec"] as JsonObject ?? throw new FormatException($"{key} without spec");
                foreach (var field in specFields)
                    if (spec[field] is null) throw new FormatException($"{key}: spec.{field} missing");
                result.Add((kind, json));
            }
            else throw new FormatException($"unexpected kind {key}: add it to {nameof(KubernetesObjects)} with a parser");
        }
        return result;
    }

    private static IEnumerable<string> SplitDocuments(string rendered) =>
        rendered.Split("\n---", StringSplitOptions.None)
            .Select(d => d.TrimStart('-').Trim('\n'))
            .Where(d => d.Split('\n').Any(l => l.Length > 0 && !l.StartsWith('#')));
}
