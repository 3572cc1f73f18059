using System.Globalization;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Listeners;

/// <summary>
/// Feeds Kestrel its proxy endpoints as configuration (<c>Endpoints:{name}:Url/Protocols</c>), in memory.
/// Kestrel watches this configuration (<c>KestrelServerOptions.Configure(config, reloadOnChange: true)</c>)
/// and, on each reload, compares endpoint by endpoint: it unbinds only the endpoints that disappeared or
/// changed and binds only the new ones; the others, and their open connections, are left alone. That is the
/// only public way to change Kestrel's listeners without restarting the server.
/// Endpoint names derive from address and port, so an unchanged listener keeps an identical entry.
/// </summary>
public sealed class ListenerConfigurationProvider : ConfigurationProvider, IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <summary>The (address, port) pairs currently configured.</summary>
    public IReadOnlyList<(string Address, int Port)> Current { get; private set; } = [];

    public void Update(IEnumerable<ListenerSnapshot> listeners)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var current = new List<(string, int)>();
        foreach (var listener in listeners)
        {
            if (listener.Kind is not (ListenerKind.Http or ListenerKind.Https)) continue;
            var address = string.IsNullOrEmpty(listener.Address) ? "0.0.0.0" : listener.Address;
            if (current.Contains((address, listener.Port))) continue;
            current.Add((address, listener.Port));
            // The kind is in the name: a port that turns from HTTP to HTTPS is a changed endpoint, rebound with TLS.
            // The URL stays http://: TLS is added by the endpoint defaults (Tls/TlsListenerSetup), not by Kestrel's
            // certificate configuration, so that the certificate is chosen per handshake from the snapshot.
            var name = (listener.Kind == ListenerKind.Https ? "https_" : "http_") + address.Replace('.', '_').Replace(':', '_') + "_" + listener.Port.ToString(CultureInfo.InvariantCulture);
            var host = address.Contains(':') ? "[" + address + "]" : address;
            data[$"Endpoints:{name}:Url"] = $"http://{host}:{listener.Port.ToString(CultureInfo.InvariantCulture)}";
            data[$"Endpoints:{name}:Protocols"] = "Http1AndHttp2";
        }
        Data = data;
        Current = current;
        OnReload();
    }
}
