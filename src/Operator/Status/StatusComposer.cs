using Ballast.Model.Compilation;
using Ballast.Model.Resources;

namespace Ballast.Operator.Status;

/// <summary>
/// The status to write: the Compiler's conditions plus <c>Programmed</c>, with Kubernetes' timestamp rule —
/// <c>lastTransitionTime</c> moves only when a condition's status changes — so an unchanged state composes to
/// an identical status and causes no write.
/// </summary>
public static class StatusComposer
{
    public static List<Condition> Conditions(ResourceStatus compiled, bool? programmed, long generation, IReadOnlyList<Condition>? existing, DateTimeOffset now)
    {
        var accepted = compiled.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.Accepted);
        var programmedCondition = new Condition
        {
            Type = ConditionTypes.Programmed,
            ObservedGeneration = generation,
        };
        if (accepted?.Status == ConditionStatus.False)
        {
            programmedCondition.Status = ConditionStatus.False;
            programmedCondition.Reason = ConditionReasons.NotAccepted;
            programmedCondition.Message = "this generation is not accepted; replicas keep running the last accepted one";
        }
        else if (programmed is null)
        {
            programmedCondition.Status = ConditionStatus.Unknown;
            programmedCondition.Reason = ConditionReasons.NoReplicas;
            programmedCondition.Message = "no ingress replica is connected";
        }
        else if (programmed == true)
        {
            programmedCondition.Status = ConditionStatus.True;
            programmedCondition.Reason = ConditionReasons.Programmed;
            programmedCondition.Message = "every connected replica runs this generation";
        }
        else
        {
            programmedCondition.Status = ConditionStatus.False;
            programmedCondition.Reason = ConditionReasons.Pending;
            programmedCondition.Message = $"waiting for every connected replica to apply generation {generation}";
        }

        var truncatedNow = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var result = new List<Condition>();
        foreach (var c in compiled.Conditions.Append(programmedCondition))
        {
            var before = existing?.FirstOrDefault(e => e.Type == c.Type);
            result.Add(new Condition
            {
                Type = c.Type,
                Status = c.Status,
                Reason = c.Reason,
                Message = c.Message,
                ObservedGeneration = c.ObservedGeneration ?? generation,
                LastTransitionTime = before is not null && before.Status == c.Status && before.LastTransitionTime is { } t ? t : truncatedNow,
            });
        }
        return result;
    }

    public static BackendPoolStatus Pool(ResourceStatus compiled, bool? programmed, long generation, BackendPoolStatus? existing, DateTimeOffset now) => new()
    {
        ObservedGeneration = compiled.ObservedGeneration ?? generation,
        Conditions = Conditions(compiled, programmed, generation, existing?.Conditions, now),
        Endpoints = compiled.Endpoints,
    };

    /// <param name="addresses">Where clients reach the ingress (<see cref="IngressAddresses"/>); null: unknown.</param>
    public static LoadBalancerPolicyStatus Policy(ResourceStatus compiled, bool? programmed, long generation, LoadBalancerPolicyStatus? existing, DateTimeOffset now,
        List<PolicyAddress>? addresses = null) => new()
        {
            ObservedGeneration = compiled.ObservedGeneration ?? generation,
            Conditions = Conditions(compiled, programmed, generation, existing?.Conditions, now),
            Addresses = addresses,
            Certificates = existing?.Certificates,
            Splits = compiled.Splits.IsDefaultOrEmpty ? null : [.. compiled.Splits],
        };

    /// <summary>A status for a resource that did not even deserialize: Accepted=False naming the field.</summary>
    public static ResourceStatus Unreadable(ResourceKey key, long generation, string message) => new()
    {
        Resource = key,
        ObservedGeneration = generation,
        Conditions =
        [
            new Condition { Type = ConditionTypes.Accepted, Status = ConditionStatus.False, Reason = ConditionReasons.Invalid, Message = message, ObservedGeneration = generation },
            new Condition { Type = ConditionTypes.ResolvedRefs, Status = ConditionStatus.Unknown, Reason = ConditionReasons.Invalid, Message = "not resolved: the resource is invalid", ObservedGeneration = generation },
        ],
    };
}
