using System.Reflection;
using Ballast.Model.Resources;

namespace Ballast.Operator.Crds;

/// <summary>Builds an OpenAPI v3 structural schema from a resource type by reflection (camelCase, as the JSON is).</summary>
internal sealed class SchemaBuilder(SourceDocs docs)
{
    private readonly NullabilityInfoContext _nullability = new();

    public OrderedDictionary<string, object?> ForObject(Type type)
    {
        var schema = new OrderedDictionary<string, object?>();
        if (docs.Of(type.Name) is { } typeDoc) schema["description"] = typeDoc;
        schema["type"] = "object";
        var properties = new OrderedDictionary<string, object?>();
        var required = new List<string>();
        var instance = type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(type) : null;
        foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (prop.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is not null || !prop.CanWrite) continue;
            var key = $"{type.Name}.{prop.Name}";
            var propSchema = ForType(prop.PropertyType, key, prop.Name);
            if (docs.Of(key) is { } doc)
            {
                propSchema.Remove("description"); // the property's own words beat its type's
                propSchema.Insert(0, "description", doc);
            }
            AddDefault(propSchema, prop, instance);
            properties[Camel(prop.Name)] = propSchema;
            if (IsRequired(prop, instance))
            {
                required.Add(Camel(prop.Name));
                if (!SchemaRules.MayBeEmpty.Contains(key)) propSchema["minLength"] = 1;
            }
        }
        schema["properties"] = properties;
        if (required.Count > 0) schema["required"] = required;
        if (SchemaRules.Validations.TryGetValue(type.Name, out var rules))
            schema["x-kubernetes-validations"] = rules.Select(r => new OrderedDictionary<string, object?> { ["rule"] = r.Expression, ["message"] = r.Message }).ToList();
        return schema;
    }

    private OrderedDictionary<string, object?> ForType(Type type, string key, string propName)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var schema = new OrderedDictionary<string, object?>();
        if (type == typeof(string)) schema["type"] = "string";
        else if (type == typeof(bool)) schema["type"] = "boolean";
        else if (type == typeof(int)) { schema["type"] = "integer"; schema["format"] = "int32"; AddBounds(schema, key, propName); }
        else if (type == typeof(long)) { schema["type"] = "integer"; schema["format"] = "int64"; AddBounds(schema, key, propName); }
        else if (type == typeof(double)) { schema["type"] = "number"; schema["minimum"] = 0; }
        else if (type == typeof(DateTimeOffset)) { schema["type"] = "string"; schema["format"] = "date-time"; }
        else if (type == typeof(Duration)) { schema["type"] = "string"; schema["pattern"] = SchemaRules.DurationPattern; }
        else if (type.IsEnum) { schema["type"] = "string"; schema["enum"] = Enum.GetNames(type).ToList(); }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            schema["type"] = "object";
            schema["additionalProperties"] = ForType(type.GetGenericArguments()[1], key, propName);
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            schema["type"] = "array";
            if (SchemaRules.MaxItems.TryGetValue(key, out var max)) schema["maxItems"] = max;
            var item = type.GetGenericArguments()[0];
            schema["items"] = item.IsClass && item != typeof(string) ? ForObject(item) : ForType(item, key + "[]", propName);
            if (SchemaRules.ListMapKeys.TryGetValue(key, out var mapKey))
            {
                schema["x-kubernetes-list-type"] = "map";
                schema["x-kubernetes-list-map-keys"] = new List<string> { mapKey };
            }
        }
        else if (type.IsClass) return ForObject(type);
        else throw new NotSupportedException($"{key}: no schema mapping for {type}");
        return schema;
    }

    private static void AddBounds(OrderedDictionary<string, object?> schema, string key, string propName)
    {
        if (!SchemaRules.Bounds.TryGetValue(key, out var b) && !SchemaRules.Bounds.TryGetValue(propName, out b)) return;
        if (b.Min is { } min) schema["minimum"] = min;
        if (b.Max is { } max) schema["maximum"] = max;
    }

    /// <summary>A default the C# type gives a property (enums, non-zero numbers, non-empty strings, true) is the CRD's default too.</summary>
    private static void AddDefault(OrderedDictionary<string, object?> schema, PropertyInfo prop, object? instance)
    {
        if (instance is null || Nullable.GetUnderlyingType(prop.PropertyType) is not null) return;
        var value = prop.GetValue(instance);
        object? text = value switch
        {
            Enum e => e.ToString(),
            int i when i != 0 => i,
            long l when l != 0 => l,
            true => true,
            string s when s.Length > 0 => s,
            _ => null,
        };
        if (text is not null) schema["default"] = text;
    }

    /// <summary>A non-nullable string without a default is required (and non-empty): names, pools, addresses.</summary>
    private bool IsRequired(PropertyInfo prop, object? instance)
    {
        if (prop.PropertyType != typeof(string) || instance is null) return false;
        return _nullability.Create(prop).WriteState == NullabilityState.NotNull && (string?)prop.GetValue(instance) == "";
    }

    internal static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
