namespace Ballast.Ingress.Runtime;

public sealed partial class EndpointState
{
    private string? _destinationPrefix;

    /// <summary><c>http://host:port</c> for the forwarder, built once per endpoint (not per request).</summary>
    public string DestinationPrefix => _destinationPrefix ??= "http://" + Id;
}
