using System.Collections.Concurrent;
using Ballast.Acme.Challenges;
using Ballast.Testing;
using Microsoft.AspNetCore.Http;

namespace Ballast.Acme.Tests.Pebble;

/// <summary>
/// Stands in for the ingress's HTTP-01 answer (the data plane will serve the same from the snapshot):
/// a real Kestrel on 127.0.0.1 answering <c>/.well-known/acme-challenge/{token}</c> from the store, and
/// recording every token it was asked for.
/// </summary>
internal sealed class ChallengeServer : IAsyncDisposable
{
    private readonly TestBackend _backend;

    public int Port => _backend.Port;
    public ConcurrentQueue<string> TokensServed { get; }

    private ChallengeServer(TestBackend backend, ConcurrentQueue<string> served)
    {
        _backend = backend;
        TokensServed = served;
    }

    public static async Task<ChallengeServer> StartAsync(IHttp01ChallengeStore store, int port = 0, ConcurrentQueue<string>? served = null)
    {
        served ??= new ConcurrentQueue<string>();
        var log = served;
        var backend = await TestBackend.StartAsync("acme-challenges", async ctx =>
        {
            if (Http01.TryGetToken(ctx.Request.Path.Value, out var token) && store.TryGet(token, out var keyAuthorization))
            {
                log.Enqueue(token);
                ctx.Response.ContentType = Http01.ContentType;
                await ctx.Response.WriteAsync(keyAuthorization);
                return;
            }
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        }, port: port);
        return new ChallengeServer(backend, served);
    }

    public ValueTask DisposeAsync() => _backend.DisposeAsync();
}
