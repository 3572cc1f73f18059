using Ballast.Model.Compilation;
using Ballast.Model.Inputs;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;
using Ballast.Model.Tests.Compilation;

namespace Ballast.Model.Tests.Inputs;

/// <summary>A port belongs to one input: the oldest claimant; the others are refused by name, never merged.</summary>
public class PortArbiterTests
{
    private static CompiledPolicy NativePolicy(string name, DateTimeOffset? created, params int[] ports)
    {
        var policy = new LoadBalancerPolicy { Metadata = { Name = name, Namespace = "default", CreationTimestamp = created } };
        var compiled = new CompiledPolicy(policy, new ResourceReport(policy), 0);
        for (var i = 0; i < ports.Length; i++)
            compiled.Listeners.Add(new CompiledListener(new ListenerSpec { Name = $"l{i}", Port = ports[i] },
                FieldPath.Spec.Field("listeners").Index(i), ListenerKind.Http, "0.0.0.0", []));
        return compiled;
    }

    private static PortClaim Claim(string owner, DateTimeOffset? created, int port)
    {
        // Any non-native resource stands for a front-end's object here.
        var o = new Ballast.Model.Resources.Core.Service { Metadata = { Name = owner, Namespace = "default", CreationTimestamp = created } };
        return new PortClaim(o, new ResourceReport(o), FieldPath.Spec.Field("listeners").Index(0).Field("port"), new ListenerSnapshot { Port = port });
    }

    [Fact]
    public void An_older_native_policy_keeps_its_port_and_the_front_end_claim_is_refused_naming_it()
    {
        var t = DateTimeOffset.Parse("2026-01-01T00:00:00Z");
        var claim = Claim("gw", t.AddHours(1), 80);
        var outcome = PortArbiter.Decide([NativePolicy("shop", t, 80)], [[claim]]);
        Assert.Empty(outcome.TakenFromNative);
        Assert.StartsWith("port 80 belongs to LoadBalancerPolicy default/shop (a native listener), which claimed it first", outcome.Refused[claim]);
    }

    [Fact]
    public void An_older_front_end_claim_takes_the_port_from_every_native_policy()
    {
        var t = DateTimeOffset.Parse("2026-01-01T00:00:00Z");
        var claim = Claim("gw", t, 80);
        var outcome = PortArbiter.Decide([NativePolicy("a", t.AddHours(1), 80, 81), NativePolicy("b", t.AddHours(2), 80)], [[claim]]);
        Assert.Empty(outcome.Refused);
        Assert.Equal([80], outcome.TakenFromNative.Keys);
        Assert.StartsWith("port 80 belongs to Service default/gw spec.listeners[0].port", outcome.TakenFromNative[80]);
    }

    [Fact]
    public void Without_timestamps_native_wins_ties_then_front_ends_in_order_then_names()
    {
        var a = Claim("a", null, 80);
        var b = Claim("b", null, 90);
        var c = Claim("c", null, 90);
        var d = Claim("d", null, 90);
        var outcome = PortArbiter.Decide([NativePolicy("z", null, 80)], [[d, a, c], [b]]);
        Assert.Equal([a, b, d], outcome.Refused.Keys.OrderBy(k => k.Owner.Metadata.Name));
        Assert.Contains("LoadBalancerPolicy default/z", outcome.Refused[a]);
        Assert.Contains("Service default/c", outcome.Refused[b]); // the first front-end before the second
        Assert.Contains("Service default/c", outcome.Refused[d]); // same front-end: by name
    }
}
