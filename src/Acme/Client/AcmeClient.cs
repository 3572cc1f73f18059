using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ballast.Acme.Jose;
using Ballast.Acme.Protocol;

namespace Ballast.Acme.Client;

/// <summary>
/// RFC 8555 client: directory, nonces, ES256 JWS requests (jwk for newAccount, kid afterwards), POST-as-GET,
/// badNonce retry, problem documents as <see cref="AcmeProblemException"/>, polling with Retry-After.
/// One instance talks as one account to one directory. The HttpClient is injected and not disposed here.
/// </summary>
public sealed class AcmeClient
{
    private const string JoseJson = "application/jose+json";
    private const string ProblemJson = "application/problem+json";
    public const string PemChain = "application/pem-certificate-chain";

    private readonly HttpClient _http;
    private readonly Uri _directoryUrl;
    private readonly AcmeAccountKey _key;
    private readonly TimeProvider _time;
    private readonly AcmeClientOptions _options;
    private readonly NoncePool _nonces;
    private AcmeDirectory? _directory;
    private int _badNonceRetries;

    public AcmeClient(HttpClient http, Uri directoryUrl, AcmeAccountKey key, TimeProvider time, AcmeClientOptions? options = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _directoryUrl = directoryUrl ?? throw new ArgumentNullException(nameof(directoryUrl));
        _key = key ?? throw new ArgumentNullException(nameof(key));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = options ?? new AcmeClientOptions();
        _nonces = new NoncePool(_options.MaxPooledNonces);
    }

    /// <summary>The account URL once registered; sent as <c>kid</c>.</summary>
    public Uri? AccountUrl { get; private set; }

    /// <summary>Requests sent again after a badNonce rejection (observability, and the proof in tests).</summary>
    public int BadNonceRetries => Volatile.Read(ref _badNonceRetries);

    public AcmeAccountKey AccountKey => _key;

    /// <summary>RFC 8555 §8.1: token.thumbprint, what the HTTP-01 resource must return.</summary>
    public string Http01KeyAuthorization(string token) => token + "." + _key.Thumbprint;

    public async Task<AcmeDirectory> GetDirectoryAsync(CancellationToken ct)
    {
        if (_directory is not null) return _directory;
        using var directoryRequest = new HttpRequestMessage(HttpMethod.Get, _directoryUrl);
        using var response = await SendAsync(directoryRequest, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new AcmeException($"ACME directory {_directoryUrl} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
        var directory = Parse(body, AcmeJsonContext.Default.AcmeDirectory, "directory " + _directoryUrl);
        _directory = directory;
        return directory;
    }

    /// <summary>
    /// newAccount with the terms agreed and the contacts; with a key the server already knows it answers 200
    /// and the existing account (RFC 8555 §7.3.1), so this also finds the account after a restart.
    /// </summary>
    public async Task<AcmeAccount> RegisterAccountAsync(IReadOnlyList<string> contactEmails, bool termsOfServiceAgreed, CancellationToken ct)
    {
        var directory = await GetDirectoryAsync(ct).ConfigureAwait(false);
        var contact = contactEmails.Count == 0 ? null : contactEmails.Select(e => e.StartsWith("mailto:", StringComparison.Ordinal) ? e : "mailto:" + e).ToList();
        var payload = JsonSerializer.SerializeToUtf8Bytes(new NewAccountRequest(termsOfServiceAgreed, contact), AcmeJsonContext.Default.NewAccountRequest);
        var response = await PostAsync(directory.NewAccount, payload, useJwk: true, ct).ConfigureAwait(false);
        var location = response.Location ?? throw new AcmeException("newAccount answered without a Location (the account URL).");
        AccountUrl = location;
        return Parse(response.Body, AcmeJsonContext.Default.AcmeAccount, "account") with { Url = location };
    }

    public async Task<AcmeOrder> NewOrderAsync(IEnumerable<string> dnsNames, CancellationToken ct)
    {
        var identifiers = dnsNames.Select(AcmeIdentifier.Dns).ToList();
        if (identifiers.Count == 0) throw new ArgumentException("An order needs at least one hostname.", nameof(dnsNames));
        var directory = await GetDirectoryAsync(ct).ConfigureAwait(false);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new NewOrderRequest(identifiers), AcmeJsonContext.Default.NewOrderRequest);
        var response = await PostAsync(directory.NewOrder, payload, useJwk: false, ct).ConfigureAwait(false);
        var location = response.Location ?? throw new AcmeException("newOrder answered without a Location (the order URL).");
        return Parse(response.Body, AcmeJsonContext.Default.AcmeOrder, "order") with { Url = location };
    }

    public async Task<AcmeOrder> GetOrderAsync(Uri orderUrl, CancellationToken ct) =>
        (await GetOrderWithRetryAfterAsync(orderUrl, ct).ConfigureAwait(false)).Order;

    public async Task<AcmeAuthorization> GetAuthorizationAsync(Uri authorizationUrl, CancellationToken ct)
    {
        var response = await PostAsync(authorizationUrl, ReadOnlyMemory<byte>.Empty, useJwk: false, ct).ConfigureAwait(false);
        return Parse(response.Body, AcmeJsonContext.Default.AcmeAuthorization, "authorization");
    }

    /// <summary>Tells the server the challenge is ready to be validated (payload <c>{}</c>, RFC 8555 §7.5.1).</summary>
    public async Task<AcmeChallenge> RespondToChallengeAsync(Uri challengeUrl, CancellationToken ct)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new EmptyObject(), AcmeJsonContext.Default.EmptyObject);
        var response = await PostAsync(challengeUrl, payload, useJwk: false, ct).ConfigureAwait(false);
        return Parse(response.Body, AcmeJsonContext.Default.AcmeChallenge, "challenge");
    }

    /// <summary>Polls until the authorization leaves pending, waiting as Retry-After says (bounded).</summary>
    public async Task<AcmeAuthorization> PollAuthorizationAsync(Uri authorizationUrl, CancellationToken ct)
    {
        for (var poll = 0; ; poll++)
        {
            var response = await PostAsync(authorizationUrl, ReadOnlyMemory<byte>.Empty, useJwk: false, ct).ConfigureAwait(false);
            var authorization = Parse(response.Body, AcmeJsonContext.Default.AcmeAuthorization, "authorization");
            if (authorization.Status != AcmeStatus.Pending) return authorization;
            if (poll + 1 >= _options.MaxPolls)
            {
                throw new AcmeException($"Authorization for {authorization.Identifier.Value} still pending after {_options.MaxPolls} polls.");
            }
            await DelayAsync(response.RetryAfter, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Polls until the order is neither pending nor processing (ready, valid or invalid).</summary>
    public async Task<AcmeOrder> PollOrderAsync(Uri orderUrl, CancellationToken ct)
    {
        for (var poll = 0; ; poll++)
        {
            var (order, retryAfter) = await GetOrderWithRetryAfterAsync(orderUrl, ct).ConfigureAwait(false);
            if (order.Status is not (AcmeStatus.Pending or AcmeStatus.Processing)) return order;
            if (poll + 1 >= _options.MaxPolls)
            {
                throw new AcmeException($"Order {orderUrl} still {order.Status} after {_options.MaxPolls} polls.");
            }
            await DelayAsync(retryAfter, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the CSR (DER) to the order's finalize URL.</summary>
    public async Task<AcmeOrder> FinalizeAsync(AcmeOrder order, byte[] csrDer, CancellationToken ct)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new FinalizeRequest(Base64Url.Encode(csrDer)), AcmeJsonContext.Default.FinalizeRequest);
        var response = await PostAsync(order.Finalize, payload, useJwk: false, ct).ConfigureAwait(false);
        return Parse(response.Body, AcmeJsonContext.Default.AcmeOrder, "finalized order") with { Url = order.Url };
    }

    /// <summary>Downloads the PEM chain (leaf first) of a valid order.</summary>
    public async Task<string> DownloadCertificateAsync(Uri certificateUrl, CancellationToken ct)
    {
        var response = await PostAsync(certificateUrl, ReadOnlyMemory<byte>.Empty, useJwk: false, ct, accept: PemChain).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(response.Body);
    }

    private async Task<(AcmeOrder Order, RetryConditionHeaderValue? RetryAfter)> GetOrderWithRetryAfterAsync(Uri orderUrl, CancellationToken ct)
    {
        var response = await PostAsync(orderUrl, ReadOnlyMemory<byte>.Empty, useJwk: false, ct).ConfigureAwait(false);
        return (Parse(response.Body, AcmeJsonContext.Default.AcmeOrder, "order") with { Url = orderUrl }, response.RetryAfter);
    }

    private Task DelayAsync(RetryConditionHeaderValue? retryAfter, CancellationToken ct)
    {
        var wait = RetryAfter.Wait(retryAfter, _time.GetUtcNow(), _options.DefaultPollInterval, _options.MaxPollInterval);
        return wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, _time, ct);
    }

    private sealed record AcmeResponse(HttpStatusCode Status, byte[] Body, Uri? Location, RetryConditionHeaderValue? RetryAfter);

    /// <summary>A signed POST (payload empty = POST-as-GET), sent again with a fresh nonce on badNonce.</summary>
    private async Task<AcmeResponse> PostAsync(Uri url, ReadOnlyMemory<byte> payload, bool useJwk, CancellationToken ct, string? accept = null)
    {
        string? kid = null;
        if (!useJwk)
        {
            kid = AccountUrl?.AbsoluteUri ?? throw new InvalidOperationException("Register the account (RegisterAccountAsync) before other ACME requests.");
        }
        for (var attempt = 0; ; attempt++)
        {
            var nonce = await TakeNonceAsync(ct).ConfigureAwait(false);
            var body = JwsSigner.Sign(_key, payload.Span, url, nonce, kid);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(JoseJson);
            if (accept is not null) request.Headers.Accept.ParseAdd(accept);
            using var response = await SendAsync(request, ct).ConfigureAwait(false);
            _nonces.Remember(response);
            var content = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return new AcmeResponse(response.StatusCode, content, Location(response, url), response.Headers.RetryAfter);
            }
            var problem = ReadProblem(response, content);
            if (problem.Type == AcmeProblem.BadNonce && attempt < _options.MaxBadNonceRetries)
            {
                Interlocked.Increment(ref _badNonceRetries);
                continue;
            }
            throw new AcmeProblemException($"ACME server rejected POST {url.AbsolutePath}", problem, response.StatusCode);
        }
    }

    private async Task<string> TakeNonceAsync(CancellationToken ct)
    {
        if (_nonces.TryTake(out var pooled)) return pooled;
        var directory = await GetDirectoryAsync(ct).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Head, directory.NewNonce);
        using var response = await SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new AcmeException($"newNonce {directory.NewNonce} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
        _nonces.Remember(response);
        return _nonces.TryTake(out var fresh) ? fresh : throw new AcmeException($"newNonce {directory.NewNonce} answered without a {NoncePool.Header} header.");
    }

    /// <summary>RFC 8555 §6.1: clients must send a User-Agent; add ours unless the injected client has one.</summary>
    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (_http.DefaultRequestHeaders.UserAgent.Count == 0) request.Headers.UserAgent.ParseAdd(UserAgent);
        return _http.SendAsync(request, ct);
    }

    public const string UserAgent = "Ballast-ACME/1.0";

    private static Uri? Location(HttpResponseMessage response, Uri requestUrl) =>
        response.Headers.Location is { } location ? (location.IsAbsoluteUri ? location : new Uri(requestUrl, location)) : null;

    private static AcmeProblem ReadProblem(HttpResponseMessage response, byte[] content)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType == ProblemJson || mediaType == "application/json")
        {
            try
            {
                var problem = JsonSerializer.Deserialize(content, AcmeJsonContext.Default.AcmeProblem);
                if (problem is not null) return problem;
            }
            catch (JsonException)
            {
                // fall through: describe the raw answer instead
            }
        }
        var text = System.Text.Encoding.UTF8.GetString(content.AsSpan(0, Math.Min(content.Length, 300)));
        return new AcmeProblem(Type: null, Detail: $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {text}", Status: (int)response.StatusCode);
    }

    private static T Parse<T>(byte[] body, JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new AcmeException($"The ACME server sent an empty {what}.");
        }
        catch (JsonException ex)
        {
            throw new AcmeException($"The ACME server sent a {what} that is not valid: {ex.Message}", ex);
        }
    }
}
