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

    /// <summary>Answer a wrong key authorization, to show Pebble really checks what it fetched.</summary>
    public bool AnswerWrongly { get; set; }

    private ChallengeServer(TestBackend backend, ConcurrentQueue<string> served)
    {
        _backend = backend;
        TokensServed = served;
    }

    public static async Task<ChallengeServer> StartAsync(IHttp01ChallengeStore store, int port = 0, ConcurrentQueue<string>? served = null)
    {
        served ??= new ConcurrentQueue<string>();
        var log = served;
        ChallengeServer? self = null;
        var backend = await TestBackend.StartAsync("acme-challenges", async ctx =>
        {
            if (Http01.TryGetToken(ctx.Request.Path.Value, out var token) && store.TryGet(token, out var keyAuthorization))
            {
                log.Enqueue(token);
                ctx.Response.ContentType = Http01.ContentType;
                await ctx.Response.WriteAsync(self!.AnswerWrongly ? keyAuthorization + "x" : keyAuthorization);
                return;
            }
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        }, port: port);
        self = new ChallengeServer(backend, served);
        return self;
    }

    public ValueTask DisposeAsync() => _backend.DisposeAsync();
}
