using Ballast.Ingress.Transforms;
using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Transforms;

public sealed class ConnectionFieldsTests
{
    [Fact]
    public void Every_field_a_backend_nominates_is_removed_from_the_response_and_only_those()
    {
        var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("Connection", "X-Internal, keep-alive,,x-other ");
        var client = new HeaderDictionary { ["X-Internal"] = "i", ["X-Other"] = "o", ["X-Kept"] = "k" };
        ConnectionFields.RemoveNominated(response, client);
        Assert.Equal(["X-Kept"], client.Keys);
    }
}
