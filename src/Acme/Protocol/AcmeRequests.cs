using System.Text.Json.Serialization;

namespace Ballast.Acme.Protocol;

internal sealed record NewAccountRequest(
    [property: JsonPropertyName("termsOfServiceAgreed")] bool TermsOfServiceAgreed,
    [property: JsonPropertyName("contact")] IReadOnlyList<string>? Contact);

internal sealed record NewOrderRequest(
    [property: JsonPropertyName("identifiers")] IReadOnlyList<AcmeIdentifier> Identifiers);

internal sealed record FinalizeRequest(
    [property: JsonPropertyName("csr")] string Csr);

internal sealed record EmptyObject;
