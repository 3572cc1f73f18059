using System.Security.Claims;
using Ballast.Model.Snapshots;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;

namespace Ballast.Ingress.Policies.Auth;

/// <summary>
/// A route's bearer-JWT check, on Microsoft.IdentityModel (no JWT parsing of our own): the key set comes from
/// the JWKS URL through IdentityModel's <see cref="ConfigurationManager{T}"/> (cached, refreshed on its
/// interval and, rate-limited, when a token names an unknown kid); issuer, audience, lifetime with the clock
/// skew, signature with the kid's key only (no trying every key) and RS256/ES256 only ("none" never passes).
/// </summary>
public sealed class JwtAuthenticator : IRouteAuthenticator, IDisposable
{
    private readonly ConfigurationManager<JsonWebKeySet> _keys;
    private readonly HttpClient _http;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private volatile Validation? _validation;

    private sealed record Validation(JsonWebKeySet Keys, TokenValidationParameters Parameters);

    public JwtAuthenticator(JwtAuthSnapshot config)
    {
        Config = config;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(10) };
        var https = new Uri(config.JwksUrl).Scheme == Uri.UriSchemeHttps;
        _keys = new ConfigurationManager<JsonWebKeySet>(config.JwksUrl, new JwksRetriever(), new HttpDocumentRetriever(_http) { RequireHttps = https })
        {
            AutomaticRefreshInterval = config.JwksRefresh,
            RefreshInterval = TimeSpan.FromSeconds(10),
        };
    }

    public JwtAuthSnapshot Config { get; }
    object IRouteAuthenticator.Config => Config;
    public string Kind => "jwt";

    /// <summary>Checks the bearer token; a refusal is answered 401 with <c>WWW-Authenticate: Bearer error="invalid_token"</c>.</summary>
    public async ValueTask<AuthOutcome> AuthenticateAsync(HttpContext context)
    {
        var outcome = await CheckAsync(context);
        if (outcome != AuthOutcome.Passed) await RoutePolicies.Unauthorized(context, "Bearer error=\"invalid_token\"");
        return outcome;
    }

    /// <summary>
    /// Passed when the request carries a valid token; then the configured claims are set as request headers and the
    /// token's claims become <see cref="HttpContext.User"/> (a rate limit keyed by a claim reads them there).
    /// </summary>
    private async ValueTask<AuthOutcome> CheckAsync(HttpContext context)
    {
        var request = context.Request;
        // A client's own copies of the claim headers never reach the backend.
        foreach (var (_, header) in Config.ForwardClaims) request.Headers.Remove(header);

        var authorization = request.Headers.Authorization;
        if (authorization.Count != 1 || authorization[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthOutcome.Missing;
        var token = value[7..].Trim();

        Validation validation;
        try
        {
            validation = await CurrentAsync(context.RequestAborted);
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            return AuthOutcome.Unavailable; // keys unavailable: deny
        }
        var result = await _handler.ValidateTokenAsync(token, validation.Parameters);
        if (!result.IsValid)
        {
            if (result.Exception is SecurityTokenSignatureKeyNotFoundException) _keys.RequestRefresh(); // keys may have rotated
            return AuthOutcome.Invalid;
        }
        foreach (var (claim, header) in Config.ForwardClaims)
        {
            if (result.ClaimsIdentity.FindFirst(claim)?.Value is { } claimValue) request.Headers[header] = claimValue;
        }
        if (Config.StripCredential) request.Headers.Remove("Authorization");
        context.User = new ClaimsPrincipal(result.ClaimsIdentity);
        return AuthOutcome.Passed;
    }

    private async Task<Validation> CurrentAsync(CancellationToken cancel)
    {
        var keys = await _keys.GetConfigurationAsync(cancel);
        var current = _validation;
        if (current is not null && ReferenceEquals(current.Keys, keys)) return current;
        current = new Validation(keys, new TokenValidationParameters
        {
            ValidIssuer = Config.Issuer,
            ValidAudiences = Config.Audiences,
            ValidAlgorithms = Config.Algorithms,
            IssuerSigningKeys = keys.GetSigningKeys(),
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = Config.ClockSkew,
        });
        _validation = current;
        return current;
    }

    public void Dispose() => _http.Dispose();

    private sealed class JwksRetriever : IConfigurationRetriever<JsonWebKeySet>
    {
        public async Task<JsonWebKeySet> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel) =>
            new(await retriever.GetDocumentAsync(address, cancel));
    }
}
