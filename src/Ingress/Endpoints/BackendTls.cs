using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Ballast.Ingress.Metrics;
using Ballast.Model.Snapshots;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace Ballast.Ingress.Endpoints;

/// <summary>
/// Re-encryption to a pool's endpoints (<c>BackendPool.spec.tls</c>): HTTPS with the pool's CA bundle as the only
/// trust (custom root trust, no system roots), the server name sent as SNI and checked against the certificate,
/// and an optional client certificate (mTLS). Verification stays on unless the pool says
/// <c>insecureSkipVerify</c>, which logs a warning at every invoker build. A failed verification fails the
/// connection (the request gets a 502 from the forwarder), is logged with its reason and counted in
/// <c>ballast_backend_tls_failures_total{pool,reason}</c>.
/// </summary>
public sealed class BackendTlsReporter
{
    private static readonly PerRegistry<BackendTlsReporter> ByRegistry = new(static r => new BackendTlsReporter(r));

    /// <summary>The reporter of the host's registry, created once per registry (the host sets its <see cref="Logger"/>).</summary>
    public static BackendTlsReporter Of(CollectorRegistry registry) => ByRegistry.Of(registry);

    private BackendTlsReporter(CollectorRegistry registry)
    {
        Failures = SeriesOwners.Of(registry).Track(Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter("ballast_backend_tls_failures_total",
            "Re-encryption handshakes to backends whose certificate was refused (the request got a 502), by pool and reason.",
            new CounterConfiguration { LabelNames = ["pool", "reason"] }));
    }

    public Counter Failures { get; }
    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>Sets TLS on a pool's handler when the pool re-encrypts; leaves it alone otherwise.</summary>
    public void Configure(SocketsHttpHandler handler, PoolSnapshot pool)
    {
        if (pool.Tls is not { } tls) return;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = tls.ServerName,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (tls.ClientCertificatePem is { } certPem && tls.ClientKeyPem is { } keyPem)
        {
            var client = X509Certificate2.CreateFromPem(certPem, keyPem);
            options.ClientCertificateContext = SslStreamCertificateContext.Create(client, null, offline: true);
        }

        var poolId = pool.Id;
        if (tls.InsecureSkipVerify)
        {
            Logger.LogWarning("Pool {Pool}: insecureSkipVerify is set: backend certificates are NOT verified; anyone on the path can impersonate the backend.", poolId);
#pragma warning disable CA5359 // the pool asked for no verification (insecureSkipVerify), and is warned about it just above
            options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else
        {
            if (tls.CaPem is { } caPem)
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPem(caPem);
                var policy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                };
                policy.CustomTrustStore.AddRange(roots);
                options.CertificateChainPolicy = policy;
            }
            // The chain policy decides trust; this callback only reports what went wrong, then refuses.
            var failures = Failures;
            var logger = Logger;
            options.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (errors == SslPolicyErrors.None) return true;
                var reason = Reason(errors, chain);
                failures.WithLabels(poolId, reason).Inc();
                logger.LogWarning("Pool {Pool}: backend certificate refused ({Reason}): subject \"{Subject}\", issuer \"{Issuer}\", expected name \"{ServerName}\"; {Errors}{Chain}",
                    poolId, reason, certificate?.Subject, certificate?.Issuer, tls.ServerName ?? "(endpoint host)", errors, ChainText(chain));
                return false;
            };
        }
        // The TLS is ours, in the connect callback: SocketsHttpHandler would otherwise replace TargetHost with the
        // request's host (the endpoint IP), so neither the SNI nor the name check could be the pool's serverName.
        // The handler sees a plain stream to an http:// destination (HTTP/2 pools: prior knowledge, as for h2c)
        // and we negotiate TLS with ALPN underneath it.
        var h2 = pool.Protocol is Model.Resources.PoolProtocol.HTTP2 or Model.Resources.PoolProtocol.GRPC;
        options.ApplicationProtocols = [h2 ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11];
        var serverName = tls.ServerName;
        var refusals = Failures.WithLabels(poolId, MissingClientCertificate.Reason);
        var refusalLogger = Logger;
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
                var perConnection = CloneFor(options, serverName ?? context.DnsEndPoint.Host);
                // A pool without a client certificate notes whether the backend asked for one: in TLS 1.3 a backend
                // that requires it refuses only after our handshake is done, so the failure shows on first use.
                var asked = false;
                if (perConnection.ClientCertificateContext is null)
                {
                    perConnection.LocalCertificateSelectionCallback = (_, _, _, _, _) =>
                    {
                        asked = true;
                        return null!; // nothing to present
                    };
                }
                try
                {
                    await ssl.AuthenticateAsClientAsync(perConnection, cancellationToken);
                }
                catch (Exception e) when (asked && e is AuthenticationException or IOException)
                {
                    // TLS 1.2: the refusal ends the handshake itself.
                    MissingClientCertificate.Report(refusals, refusalLogger, poolId, context.DnsEndPoint);
                    await ssl.DisposeAsync();
                    throw;
                }
                catch
                {
                    await ssl.DisposeAsync();
                    throw;
                }
                return asked ? new MissingClientCertificate(ssl, refusals, refusalLogger, poolId, context.DnsEndPoint) : ssl;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }

    private static SslClientAuthenticationOptions CloneFor(SslClientAuthenticationOptions template, string targetHost) => new()
    {
        TargetHost = targetHost,
        EnabledSslProtocols = template.EnabledSslProtocols,
        CertificateRevocationCheckMode = template.CertificateRevocationCheckMode,
        ClientCertificateContext = template.ClientCertificateContext,
        CertificateChainPolicy = template.CertificateChainPolicy,
        RemoteCertificateValidationCallback = template.RemoteCertificateValidationCallback,
        ApplicationProtocols = template.ApplicationProtocols,
    };

    /// <summary>Metric label: untrusted_chain, expired, name_mismatch, no_certificate (client_certificate_required: see <see cref="MissingClientCertificate"/>).</summary>
    internal static string Reason(SslPolicyErrors errors, X509Chain? chain)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return "no_certificate";
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            foreach (var status in chain?.ChainStatus ?? [])
                if (status.Status.HasFlag(X509ChainStatusFlags.NotTimeValid)) return "expired";
            return "untrusted_chain";
        }
        return "name_mismatch";
    }

    private static string ChainText(X509Chain? chain)
    {
        if (chain is null || chain.ChainStatus.Length == 0) return "";
        return ": " + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
    }
}
