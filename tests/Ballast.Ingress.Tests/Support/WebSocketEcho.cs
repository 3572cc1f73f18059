using System.Net.WebSockets;
using Ballast.Testing;
using Microsoft.AspNetCore.Builder;

namespace Ballast.Ingress.Tests.Support;

/// <summary>A real Kestrel backend that accepts WebSockets and echoes every message until the client closes.</summary>
public static class WebSocketEcho
{
    public static Task<TestBackend> StartAsync() => TestBackend.StartAsync("ws", configure: app =>
    {
        app.UseWebSockets();
        app.Run(async ctx =>
        {
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }
                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
            }
        });
    });
}
