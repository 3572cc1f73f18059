using System.Text.Json;
using Ballast.Model.Compilation;
using Ballast.Model.Resources;
using Ballast.Model.Serialization;
using Ballast.Operator.Reconcile;
using Ballast.Operator.State;

namespace Ballast.Operator.Tests.Reconcile;

/// <summary>The pure choice of the spec each resource compiles with: the fallback to a rejected resource's last accepted spec.</summary>
public sealed class AcceptedSpecsTests
{
    private static readonly ResourceKey Key = new(BackendPool.KindName, "shop", "orders");
    private static readonly Dictionary<ResourceKey, AcceptedSpec> NoneStored = [];

    private static JsonElement Served(string uid, int port) => JsonDocument.Parse(
        "{\"apiVersion\":\"ballast.dev/v1alpha1\",\"kind\":\"BackendPool\"," +
        $"\"metadata\":{{\"name\":\"orders\",\"namespace\":\"shop\",\"uid\":\"{uid}\",\"generation\":{port}}}," +
        $"\"spec\":{{\"service\":{{\"name\":\"orders\",\"port\":{port}}}}}}}").RootElement.Clone();

    private static BackendPool Parsed(JsonElement served) => served.Deserialize<BackendPool>(ModelJson.Options)!;

    private static Dictionary<ResourceKey, ResourceStatus> Compiled(bool accepted) => new()
    {
        [Key] = new ResourceStatus
        {
            Resource = Key,
            Conditions = [new Condition { Type = ConditionTypes.Accepted, Status = accepted ? ConditionStatus.True : ConditionStatus.False, Reason = accepted ? ConditionReasons.Accepted : ConditionReasons.Invalid }],
        },
    };

    private static AcceptedSpecs.Choice Accept(JsonElement served) =>
        AcceptedSpecs.Choose(Compiled(true), [], [Parsed(served)], new Dictionary<ResourceKey, JsonElement> { [Key] = served }, NoneStored, new Dictionary<ResourceKey, AcceptedSpecs.Remembered>());

    private static int? PortOf(AcceptedSpec spec) => ((BackendPool)spec.Resource).Spec.Service!.Port;

    [Fact]
    public void An_accepted_spec_is_remembered_and_needs_no_fallback()
    {
        var choice = Accept(Served("u1", 8080));
        Assert.Empty(choice.Rejected);
        Assert.Empty(choice.Fallbacks);
        Assert.Equal(8080, ((BackendPool)choice.Remember[Key].Resource).Spec.Service!.Port);
    }

    [Fact]
    public void A_rejected_edit_falls_back_to_the_same_objects_last_accepted_spec_and_is_not_remembered()
    {
        var before = Accept(Served("u1", 8080));
        var bad = Served("u1", 9090);
        var choice = AcceptedSpecs.Choose(Compiled(false), [], [Parsed(bad)], new Dictionary<ResourceKey, JsonElement> { [Key] = bad }, NoneStored, before.Remember);

        Assert.Equal([Key], choice.Rejected);
        Assert.Equal(8080, PortOf(choice.Fallbacks[Key]));
        Assert.Equal(8080, ((BackendPool)choice.Remember[Key].Resource).Spec.Service!.Port);
        var input = AcceptedSpecs.WithFallbacks(new CompilerInput { Pools = [Parsed(bad)] }, choice);
        Assert.Equal(8080, Assert.Single(input.Pools).Spec.Service!.Port);
    }

    [Fact]
    public void A_recreated_object_with_a_new_uid_does_not_inherit_its_predecessors_spec()
    {
        var before = Accept(Served("u1", 8080));
        var recreated = Served("u2", 9090);
        var choice = AcceptedSpecs.Choose(Compiled(false), [], [Parsed(recreated)], new Dictionary<ResourceKey, JsonElement> { [Key] = recreated }, NoneStored, before.Remember);

        Assert.Equal([Key], choice.Rejected);
        Assert.Empty(choice.Fallbacks);
        Assert.Empty(AcceptedSpecs.WithFallbacks(new CompilerInput { Pools = [Parsed(recreated)] }, choice).Pools); // drops out
    }

    [Fact]
    public void The_stored_fallback_wins_over_this_replicas_memory_so_every_replica_falls_back_alike()
    {
        var remembered = Accept(Served("u1", 8080)).Remember;
        var stored = new Dictionary<ResourceKey, AcceptedSpec> { [Key] = AcceptedSpec.FromObject(Key, Served("u1", 7070)) };
        var bad = Served("u1", 9090);
        var choice = AcceptedSpecs.Choose(Compiled(false), [], [Parsed(bad)], new Dictionary<ResourceKey, JsonElement> { [Key] = bad }, stored, remembered);
        Assert.Equal(7070, PortOf(choice.Fallbacks[Key]));

        // A stored entry of another object (uid) is ignored: the replica's own memory of this object serves.
        var otherObject = new Dictionary<ResourceKey, AcceptedSpec> { [Key] = AcceptedSpec.FromObject(Key, Served("u0", 7070)) };
        var own = AcceptedSpecs.Choose(Compiled(false), [], [Parsed(bad)], new Dictionary<ResourceKey, JsonElement> { [Key] = bad }, otherObject, remembered);
        Assert.Equal(8080, PortOf(own.Fallbacks[Key]));
    }

    [Fact]
    public void An_unreadable_object_falls_back_too()
    {
        var remembered = Accept(Served("u1", 8080)).Remember;
        var unreadable = Served("u1", 9090);
        var choice = AcceptedSpecs.Choose(new Dictionary<ResourceKey, ResourceStatus>(), [Key], [], new Dictionary<ResourceKey, JsonElement> { [Key] = unreadable }, NoneStored, remembered);
        Assert.Equal([Key], choice.Rejected);
        Assert.Equal(8080, PortOf(choice.Fallbacks[Key]));
        Assert.True(choice.Remember.ContainsKey(Key));
    }

    [Fact]
    public void A_deleted_resource_is_forgotten()
    {
        var remembered = Accept(Served("u1", 8080)).Remember;
        var choice = AcceptedSpecs.Choose(new Dictionary<ResourceKey, ResourceStatus>(), [], [], new Dictionary<ResourceKey, JsonElement>(), NoneStored, remembered);
        Assert.Empty(choice.Rejected);
        Assert.Empty(choice.Remember);
    }

    [Fact]
    public void A_rejected_resource_keeps_its_own_status_and_an_unreadable_one_says_so()
    {
        var rejectedStatus = Compiled(false)[Key];
        var fallbackStatus = Compiled(true)[Key];
        var first = new CompileResult { Statuses = System.Collections.Immutable.ImmutableDictionary<ResourceKey, ResourceStatus>.Empty.Add(Key, rejectedStatus) };
        var result = new CompileResult { Statuses = System.Collections.Immutable.ImmutableDictionary<ResourceKey, ResourceStatus>.Empty.Add(Key, fallbackStatus) };
        var choice = new AcceptedSpecs.Choice(new HashSet<ResourceKey> { Key }, new Dictionary<ResourceKey, AcceptedSpec>(), new Dictionary<ResourceKey, AcceptedSpecs.Remembered>(), []);
        Assert.Same(rejectedStatus, AcceptedSpecs.Statuses(first, result, choice, [])[Key]);

        var other = new ResourceKey(BackendPool.KindName, "shop", "broken");
        var statuses = AcceptedSpecs.Statuses(first, result, choice, [new DesiredState.Unreadable(other, 3, "spec.x: unknown")]);
        Assert.Equal(ConditionReasons.Invalid, statuses[other].Conditions[0].Reason);
    }
}
