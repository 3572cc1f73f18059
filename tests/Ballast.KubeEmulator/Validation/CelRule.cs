using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cel;

namespace Ballast.KubeEmulator.Validation;

/// <summary>
/// One <c>x-kubernetes-validations</c> entry compiled by the <c>Cel</c> engine: the rule, how its failure is
/// worded (<c>message</c>, or <c>messageExpression</c> evaluated with the same variables), where it is reported
/// (<c>fieldPath</c> below the node) and with which <c>reason</c>. A rule that mentions <c>oldSelf</c> is a
/// transition rule: the API server runs it only on updates where the old value exists.
/// </summary>
public sealed partial class CelRule
{
    private readonly CelProgramDelegate _program;
    private readonly CelProgramDelegate? _messageProgram;

    // The Cel library's evaluator is not documented as thread-safe; programs are shared by every emulator in the
    // process, so evaluation is serialised (each takes microseconds).
    private static readonly Lock Gate = new();

    internal CelRule(string expression, string? message, string? messageExpression, string? fieldPath, string reason,
        bool optionalOldSelf, CelProgramDelegate program, CelProgramDelegate? messageProgram)
    {
        Expression = expression;
        Message = message;
        MessageExpression = messageExpression;
        FieldPath = fieldPath;
        Reason = reason;
        OptionalOldSelf = optionalOldSelf;
        UsesOldSelf = OldSelf().IsMatch(StringLiteral().Replace(expression, "\"\""));
        _program = program;
        _messageProgram = messageProgram;
    }

    public string Expression { get; }
    public string? Message { get; }
    public string? MessageExpression { get; }
    public string? FieldPath { get; }
    public string Reason { get; }
    public bool UsesOldSelf { get; }
    public bool OptionalOldSelf { get; }

    /// <summary>Null when the rule holds; otherwise the message the API server reports.</summary>
    public string? Check(JsonNode self, JsonNode? oldSelf)
    {
        var variables = new Dictionary<string, object?> { ["self"] = CelValues.From(self) };
        if (UsesOldSelf) variables["oldSelf"] = oldSelf is null ? null : CelValues.From(oldSelf);
        object? result;
        lock (Gate)
        {
            try { result = _program(variables!); }
            catch (Exception e) { return $"rule evaluation error: {e.Message}"; }
        }
        if (result is bool ok) return ok ? null : FailureMessage(variables);
        return $"rule evaluation error: {Expression} did not evaluate to a bool ({result?.GetType().Name ?? "null"})";
    }

    private string FailureMessage(Dictionary<string, object?> variables)
    {
        if (_messageProgram is not null)
        {
            lock (Gate)
            {
                try
                {
                    if (_messageProgram(variables!) is string { Length: > 0 } text && !text.Contains('\n')) return text;
                }
                catch (Exception) { }
            }
        }
        return Message ?? $"failed rule: {Expression}";
    }

    [GeneratedRegex(@"\boldSelf\b")]
    private static partial Regex OldSelf();

    [GeneratedRegex(@"'(?:[^'\\]|\\.)*'|""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();
}

/// <summary>Compiles rules once; a rule the engine cannot parse fails the CRD load, as the API server refuses such a CRD.</summary>
public sealed class CelRuleCompiler
{
    private readonly CelEnvironment _env = new(null, "");

    public CelRule Compile(JsonObject rule, string path)
    {
        var expression = rule["rule"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: x-kubernetes-validations entry without rule");
        var messageExpression = rule["messageExpression"]?.GetValue<string>();
        try
        {
            return new CelRule(
                expression,
                rule["message"]?.GetValue<string>(),
                messageExpression,
                rule["fieldPath"]?.GetValue<string>(),
                rule["reason"]?.GetValue<string>() ?? "FieldValueInvalid",
                rule["optionalOldSelf"]?.GetValue<bool>() ?? false,
                _env.Compile(PresenceTest.Rewrite(expression)),
                messageExpression is null ? null : _env.Compile(PresenceTest.Rewrite(messageExpression)));
        }
        catch (CelException e)
        {
            throw new InvalidDataException($"{path}: CEL rule {expression} does not compile: {e.Message}", e);
        }
    }
}

/// <summary>JSON → the values the Cel engine evaluates: maps, lists, int64, double, string, bool.</summary>
public static class CelValues
{
    public static object? From(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(kv => kv.Key, kv => From(kv.Value)),
        JsonArray a => a.Select(From).ToArray(),
        JsonValue v => v.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
            System.Text.Json.JsonValueKind.True => true,
            System.Text.Json.JsonValueKind.False => false,
            System.Text.Json.JsonValueKind.Number => Numbers.IsInteger(v, out var l) ? l : Numbers.AsDouble(v),
            _ => null,
        },
        _ => null,
    };
}
