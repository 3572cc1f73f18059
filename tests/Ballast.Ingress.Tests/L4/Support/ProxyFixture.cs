using System.Net;
using Ballast.Ingress.L4;
using Ballast.Ingress.L4.Metrics;
using Ballast.Ingress.L4.Tcp;

namespace Ballast.Ingress.Tests.L4.Support;

internal static class ProxyFixture
{
    public static L4Metrics NewMetrics() => new(Prometheus.Metrics.NewCustomRegistry());

    public static TcpProxyListener StartTcp(IL4EndpointSource source, L4Metrics metrics, Func<L4ListenerOptions, L4ListenerOptions>? tweak = null)
    {
        var options = new L4ListenerOptions { Name = "tcp-test", Bind = new IPEndPoint(IPAddress.Loopback, 0), Metrics = metrics };
        var listener = new TcpProxyListener(tweak?.Invoke(options) ?? options, source);
        listener.Start();
        return listener;
    }
}
