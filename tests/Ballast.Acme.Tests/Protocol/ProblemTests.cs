using System.Text.Json;
using Ballast.Acme.Protocol;

namespace Ballast.Acme.Tests.Protocol;

public sealed class ProblemTests
{
    [Fact]
    public void A_problem_with_subproblems_describes_each_with_its_identifier()
    {
        // RFC 8555 §6.7.1's example, as a CA sends it.
        const string json = """
            {
              "type": "urn:ietf:params:acme:error:malformed",
              "detail": "Some of the identifiers requested were rejected",
              "subproblems": [
                { "type": "urn:ietf:params:acme:error:malformed", "detail": "Invalid underscore in DNS name \"_example.org\"",
                  "identifier": { "type": "dns", "value": "_example.org" } },
                { "type": "urn:ietf:params:acme:error:rejectedIdentifier", "detail": "This CA will not issue for \"example.net\"",
                  "identifier": { "type": "dns", "value": "example.net" } }
              ]
            }
            """;
        var problem = JsonSerializer.Deserialize(json, AcmeJsonContext.Default.AcmeProblem)!;

        var error = new AcmeProblemException("newOrder", problem);

        Assert.Equal(
            "newOrder: Some of the identifiers requested were rejected (urn:ietf:params:acme:error:malformed); " +
            "_example.org: Invalid underscore in DNS name \"_example.org\" (urn:ietf:params:acme:error:malformed); " +
            "example.net: This CA will not issue for \"example.net\" (urn:ietf:params:acme:error:rejectedIdentifier)",
            error.Message);
    }
}
