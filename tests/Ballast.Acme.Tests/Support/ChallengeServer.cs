using System.Collections.Concurrent;
using Ballast.Acme.Challenges;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;

namespace Ballast.Acme.Tests.Support;

/// <summary>
/// Stands in for the ingress's HTTP-01 answer (the data plane will serve the same from the snapshot):
/// a real Kestrel on 127.0.0.1 answering <c>/.well-known/acme-challenge/{token}</c> from the store, and
/// recording which host asked for which token.
/// </summary>
internal sealed class ChallengeServer : IAsyncDisposable
{
    private readonly TestBackend _backend;
    private readonly Options _options;

    public int Port => _backend.Port;

    private ChallengeServer(TestBackend backend, Options options)
    {
        _backend = backend;
        _options = options;
    }

    /// <summary>Shared by the server instances of one environment (it is restarted on the same port).</summary>
    internal sealed class Options
    {
        public ConcurrentQueue<(string Host, string Token)> Served { get; } = new();

        /// <summary>Hosts for which a wrong key authorization is answered (Pebble must refuse it).</summary>
        public ConcurrentDictionary<string, bool> AnswerWronglyFor { get; } = new(StringComparer.OrdinalIgnoreCase);
    }

    public static async Task<ChallengeServer> StartAsync(IHttp01ChallengeStore store, Options options, int port = 0)
    {
        var backend = await TestBackend.StartAsync("acme-challenges", async ctx =>
        {
            if (Http01.TryGetToken(ctx.Request.Path.Value, out var token) && store.TryGet(token, out var keyAuthorization))
            {
                var host = ctx.Request.Host.Host;
                options.Served.Enqueue((host, token));
                ctx.Response.ContentType = Http01.ContentType;
                await ctx.Response.WriteAsync(options.AnswerWronglyFor.ContainsKey(host) ? keyAuthorization + "x" : keyAuthorization);
                return;
            }
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        }, port: port);
        return new ChallengeServer(backend, options);
    }

    public ValueTask DisposeAsync() => _backend.DisposeAsync();
}
