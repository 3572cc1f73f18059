using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Ballast.Acme.Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ballast.Acme.Tests.Support;

/// <summary>
/// A Kestrel HTTPS listener serving whatever certificate the manager currently holds (swapped on
/// CertificateChanged) — how the ingress is expected to consume the manager — and a probe that connects
/// with SNI and returns the certificate it was served.
/// </summary>
internal sealed class TlsListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private SslStreamCertificateContext? _context;

    public int Port { get; private set; }

    private TlsListener(WebApplication app) => _app = app;

    public static async Task<TlsListener> StartAsync(CertificateManager manager)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        TlsListener? self = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = Volatile.Read(ref self!._context)
                    ?? throw new InvalidOperationException("No certificate yet."),
            }),
        })));
        var app = builder.Build();
        app.MapGet("/", () => "ok");
        self = new TlsListener(app);
        if (manager.Current is { } current) self._context = current.CreateCertificateContext();
        manager.CertificateChanged += c => Volatile.Write(ref self._context, c.CreateCertificateContext());
        await app.StartAsync();
        self.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return self;
    }

    public Task<X509Certificate2> ProbeAsync(string hostname, X509Certificate2 root) => TlsProbe.ServedCertificateAsync(Port, hostname, root);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
