using System.Text.Json.Nodes;
using Ballast.KubeEmulator.Validation;

namespace Ballast.Operator.Tests.Emulator;

/// <summary>
/// The CEL the emulator runs, checked against the CEL spec (cel-spec langdef.md) for every construct our CRD rules
/// use: has() on maps (key presence, which the Cel package gets wrong and the emulator fixes), list literals,
/// filter, size(), ==/!= on bools and strings, and the logical operators.
/// </summary>
public sealed class CelSemanticsTests
{
    private static readonly CelRuleCompiler Compiler = new();

    private static bool Holds(string rule, string selfJson) =>
        Compiler.Compile(new JsonObject { ["rule"] = rule, ["message"] = "failed" }, "test").Check(JsonNode.Parse(selfJson)!, null) is null;

    [Theory]
    [InlineData("""{"tcp":{}}""", true)]       // an empty object is present
    [InlineData("""{"tcp":""}""", true)]       // so is an empty string
    [InlineData("""{"tcp":[]}""", true)]       // and an empty list
    [InlineData("""{"tcp":0}""", true)]
    [InlineData("""{"tcp":false}""", true)]
    [InlineData("""{"udp":{}}""", false)]      // another key is not
    public void Has_on_a_map_tests_the_key_whatever_its_value(string self, bool present)
    {
        Assert.Equal(present, Holds("has(self.tcp)", self));
        Assert.Equal(present, Holds("has(self.a.tcp)", $$"""{"a":{{self}}}"""));   // through a selection chain too
    }

    [Fact]
    public void Has_inside_a_string_literal_is_left_alone()
    {
        Assert.Equal("('x' in self) && self.m == 'has(self.y)'", PresenceTest.Rewrite("has(self.x) && self.m == 'has(self.y)'"));
        Assert.True(Holds("has(self.x) && self.m == 'has(self.y)'", """{"x":"","m":"has(self.y)"}"""));
    }

    [Theory]
    [InlineData("[has(self.a), has(self.b), has(self.c)].filter(x, x).size() <= 1", """{"a":{}}""", true)]
    [InlineData("[has(self.a), has(self.b), has(self.c)].filter(x, x).size() <= 1", """{"a":{},"c":""}""", false)]
    [InlineData("[has(self.a), has(self.b)].filter(x, x).size() == 1", """{}""", false)]
    [InlineData("has(self.a) != has(self.b)", """{"b":[]}""", true)]
    [InlineData("has(self.a) != has(self.b)", """{"a":1,"b":[]}""", false)]
    [InlineData("!(has(self.a) && has(self.b))", """{"a":1,"b":2}""", false)]
    [InlineData("has(self.a) || has(self.b)", """{}""", false)]
    [InlineData("self.protocol != 'HTTPS' || has(self.tls)", """{"protocol":"HTTPS","tls":{}}""", true)]
    [InlineData("self.protocol != 'HTTPS' || has(self.tls)", """{"protocol":"HTTPS"}""", false)]
    [InlineData("self.protocol != 'HTTPS' || has(self.tls)", """{"protocol":"HTTP"}""", true)]
    public void The_constructs_our_rules_use_follow_the_spec(string rule, string self, bool holds) => Assert.Equal(holds, Holds(rule, self));

    [Fact]
    public void A_rule_that_does_not_yield_a_bool_or_fails_is_reported_not_passed()
    {
        var rule = Compiler.Compile(new JsonObject { ["rule"] = "self.missing == 1" }, "test");
        Assert.NotNull(rule.Check(JsonNode.Parse("{}")!, null));
        var noMessage = Compiler.Compile(new JsonObject { ["rule"] = "self.a == 1" }, "test");
        Assert.Equal("failed rule: self.a == 1", noMessage.Check(JsonNode.Parse("""{"a":2}""")!, null));
    }
}
