namespace Ballast.Model.Compilation;

/// <summary>A field's path as users see it in messages: <c>spec.routes[0].backends[1].weight</c>.</summary>
public readonly record struct FieldPath(string Value)
{
    public static readonly FieldPath Spec = new("spec");
    public static readonly FieldPath Metadata = new("metadata");

    public FieldPath Field(string name) => new(Value.Length == 0 ? name : $"{Value}.{name}");
    public FieldPath Index(int index) => new($"{Value}[{index}]");
    public override string ToString() => Value;
}
