namespace Ballast.Ingress.Endpoints;

public sealed partial class EndpointState
{
    private string? _httpsDestinationPrefix;

    /// <summary><c>https://host:port</c> for pools that re-encrypt (pool.Tls), built once per endpoint.</summary>
    public string HttpsDestinationPrefix => _httpsDestinationPrefix ??= "https://" + Id;
}
