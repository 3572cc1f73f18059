using System.Buffers;
using System.Text;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Health;

/// <summary>
/// HTTP check: <c>method path</c> with an optional Host header; passes when the status is in one of the
/// expected ranges and, if set, the first 64 KiB of the body contain the expected text (ordinal).
/// </summary>
public sealed class HttpHealthProbe : IHealthProbe
{
    private const int MaxBodyBytes = 64 * 1024;

    private readonly ProbeTransport _transport;
    private readonly ActiveHealthSnapshot _check;
    private readonly Uri _uri;
    private readonly HttpMethod _method;

    public HttpHealthProbe(ProbeTransport transport, ActiveHealthSnapshot check, ProbeTarget target)
    {
        _transport = transport;
        _check = check;
        _uri = target.Uri(transport.Scheme, check.Path);
        _method = HttpMethod.Parse(string.IsNullOrEmpty(check.Method) ? "GET" : check.Method);
    }

    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(_method, _uri)
        {
            Version = _transport.Version,
            VersionPolicy = _transport.VersionPolicy,
        };
        if (!string.IsNullOrEmpty(_check.Host))
        {
            request.Headers.Host = _check.Host;
        }

        request.Headers.TryAddWithoutValidation("User-Agent", "ballast-health-check");
        try
        {
            using var response = await _transport.Invoker.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (!StatusExpected(status))
            {
                return ProbeResult.Fail($"HTTP {status}");
            }

            if (_check.BodyContains is { Length: > 0 } expected)
            {
                var body = await ReadPrefixAsync(response.Content, cancellationToken);
                if (!body.Contains(expected, StringComparison.Ordinal))
                {
                    return ProbeResult.Fail($"HTTP {status}, body does not contain \"{expected}\"");
                }
            }

            return ProbeResult.Pass($"HTTP {status}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return ProbeResult.Fail(ProbeFailures.Describe(e));
        }
    }

    private bool StatusExpected(int status)
    {
        foreach (var range in _check.ExpectStatus)
        {
            if (range.Contains(status))
            {
                return true;
            }
        }

        return _check.ExpectStatus.IsDefaultOrEmpty && status is >= 200 and < 400;
    }

    private static async Task<string> ReadPrefixAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes);
        try
        {
            var total = 0;
            int read;
            while (total < MaxBodyBytes && (read = await stream.ReadAsync(buffer.AsMemory(total, MaxBodyBytes - total), cancellationToken)) > 0)
            {
                total += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
    }
}
