using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ballast.KubeEmulator.Validation;

/// <summary>The <c>metadata</c> checks the API server makes on every object: names are DNS-1123 subdomains (labels for namespaces).</summary>
public static partial class ObjectMetaRules
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    /// <summary>Errors for <c>metadata.name</c> of an object of <paramref name="type"/>; empty when it is valid.</summary>
    public static List<FieldError> Validate(ResourceType type, JsonObject meta)
    {
        var errors = new List<FieldError>();
        var name = meta["name"]?.GetValue<string>() ?? "";
        var label = type is { Group: "", Plural: "namespaces" };
        if (label ? !IsLabel(name) : !IsSubdomain(name))
        {
            var message = label ? LabelMessage : SubdomainMessage;
            if (name.Length > (label ? 63 : 253)) message = $"must be no more than {(label ? 63 : 253)} characters";
            errors.Add(FieldError.Invalid("metadata.name", JsonValue.Create(name), message));
        }
        return errors;
    }

    /// <summary>The <c>generateName</c> prefix must itself be a valid name once its trailing dash is trimmed.</summary>
    public static FieldError? ValidateGenerateName(string prefix) =>
        IsSubdomain(prefix.TrimEnd('-')) ? null : FieldError.Invalid("metadata.generateName", JsonValue.Create(prefix), SubdomainMessage);

    public static bool IsSubdomain(string s) => s.Length is > 0 and <= 253 && Subdomain().IsMatch(s);
    public static bool IsLabel(string s) => s.Length is > 0 and <= 63 && Label().IsMatch(s);

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();
}
