using System.Collections.Immutable;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation;

/// <summary>Turns a resource's problems into its Accepted and ResolvedRefs conditions.</summary>
internal static class StatusBuilder
{
    public static ResourceStatus Build(ResourceReport report, EndpointCounts? endpoints = null, ImmutableArray<RouteSplitStatus> splits = default)
    {
        var generation = report.Resource.Metadata?.Generation;
        var invalid = report.Problems.Where(p => p.Kind == ProblemKind.Invalid).ToList();
        var conflicts = report.Problems.Where(p => p.Kind == ProblemKind.Conflict).ToList();
        var refs = report.Problems.Where(p => p.Kind == ProblemKind.Reference).ToList();

        var accepted = invalid.Count > 0 ? Condition(ConditionTypes.Accepted, false, ConditionReasons.Invalid, Join(invalid), generation)
            : conflicts.Count > 0 ? Condition(ConditionTypes.Accepted, false, ConditionReasons.Conflicted, Join(conflicts), generation)
            : Condition(ConditionTypes.Accepted, true, ConditionReasons.Accepted, "", generation);
        var resolved = refs.Count > 0
            ? Condition(ConditionTypes.ResolvedRefs, false, refs[0].Reason, Join(refs), generation)
            : Condition(ConditionTypes.ResolvedRefs, true, ConditionReasons.ResolvedRefs, "", generation);

        return new ResourceStatus
        {
            Resource = report.Key,
            ObservedGeneration = generation,
            Conditions = [accepted, resolved],
            Endpoints = endpoints,
            Splits = splits.IsDefault ? [] : splits,
        };
    }

    private static string Join(List<Problem> problems) =>
        string.Join("; ", problems.Select(p => string.IsNullOrEmpty(p.Diagnostic.FieldPath) ? p.Diagnostic.Message : $"{p.Diagnostic.FieldPath}: {p.Diagnostic.Message}"));

    private static Condition Condition(string type, bool ok, string reason, string message, long? generation) => new()
    {
        Type = type,
        Status = ok ? ConditionStatus.True : ConditionStatus.False,
        Reason = reason,
        Message = message,
        ObservedGeneration = generation,
    };
}
