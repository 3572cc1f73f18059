using System.Text.Json.Serialization;

namespace Ballast.Acme.Protocol;

// The RFC 8555 §7.1 resources, only the fields this client reads or sends.

public sealed record AcmeDirectory(
    [property: JsonPropertyName("newNonce")] Uri NewNonce,
    [property: JsonPropertyName("newAccount")] Uri NewAccount,
    [property: JsonPropertyName("newOrder")] Uri NewOrder,
    [property: JsonPropertyName("revokeCert")] Uri? RevokeCert = null,
    [property: JsonPropertyName("keyChange")] Uri? KeyChange = null,
    [property: JsonPropertyName("meta")] AcmeDirectoryMeta? Meta = null);

public sealed record AcmeDirectoryMeta(
    [property: JsonPropertyName("termsOfService")] string? TermsOfService = null,
    [property: JsonPropertyName("externalAccountRequired")] bool? ExternalAccountRequired = null);

public sealed record AcmeIdentifier(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("value")] string Value)
{
    public static AcmeIdentifier Dns(string name) => new("dns", name);
}

public sealed record AcmeAccount(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("contact")] IReadOnlyList<string>? Contact = null,
    [property: JsonPropertyName("orders")] Uri? Orders = null)
{
    /// <summary>The account URL (Location of newAccount), used as <c>kid</c>.</summary>
    [JsonIgnore] public Uri? Url { get; init; }
}

public sealed record AcmeOrder(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("identifiers")] IReadOnlyList<AcmeIdentifier> Identifiers,
    [property: JsonPropertyName("authorizations")] IReadOnlyList<Uri> Authorizations,
    [property: JsonPropertyName("finalize")] Uri Finalize,
    [property: JsonPropertyName("expires")] DateTimeOffset? Expires = null,
    [property: JsonPropertyName("certificate")] Uri? Certificate = null,
    [property: JsonPropertyName("error")] AcmeProblem? Error = null)
{
    /// <summary>The order URL (Location of newOrder), polled until the order settles.</summary>
    [JsonIgnore] public Uri? Url { get; init; }
}

public sealed record AcmeAuthorization(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("identifier")] AcmeIdentifier Identifier,
    [property: JsonPropertyName("challenges")] IReadOnlyList<AcmeChallenge> Challenges,
    [property: JsonPropertyName("expires")] DateTimeOffset? Expires = null,
    [property: JsonPropertyName("wildcard")] bool? Wildcard = null);

public sealed record AcmeChallenge(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("url")] Uri Url,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("token")] string? Token = null,
    [property: JsonPropertyName("validated")] DateTimeOffset? Validated = null,
    [property: JsonPropertyName("error")] AcmeProblem? Error = null);

/// <summary>RFC 7807 problem document as RFC 8555 §6.7 uses it (with subproblems, §6.7.1).</summary>
public sealed record AcmeProblem(
    [property: JsonPropertyName("type")] string? Type = null,
    [property: JsonPropertyName("detail")] string? Detail = null,
    [property: JsonPropertyName("status")] int? Status = null,
    [property: JsonPropertyName("identifier")] AcmeIdentifier? Identifier = null,
    [property: JsonPropertyName("subproblems")] IReadOnlyList<AcmeProblem>? Subproblems = null)
{
    public const string BadNonce = "urn:ietf:params:acme:error:badNonce";

    /// <summary>One line: detail (type), then each subproblem with its identifier.</summary>
    public string Describe()
    {
        var text = $"{Detail ?? "no detail"} ({Type ?? "no type"})";
        if (Subproblems is { Count: > 0 })
        {
            text += "; " + string.Join("; ", Subproblems.Select(s =>
                (s.Identifier is null ? "" : s.Identifier.Value + ": ") + s.Describe()));
        }
        return text;
    }
}

/// <summary>Status values of orders, authorizations and challenges (RFC 8555 §7.1.6).</summary>
public static class AcmeStatus
{
    public const string Pending = "pending";
    public const string Ready = "ready";
    public const string Processing = "processing";
    public const string Valid = "valid";
    public const string Invalid = "invalid";
}
