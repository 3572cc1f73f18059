using Microsoft.AspNetCore.Http;

namespace Ballast.Ingress.Tests.Support;

/// <summary>
/// A backend handler that holds every request to one path until <see cref="Release"/> (other paths answer at
/// once), counting the held ones: keeps requests in flight on an endpoint for as long as a test needs.
/// </summary>
public sealed class HeldRequests(string path, string body)
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    /// <summary>Requests to the path that arrived (held until released).</summary>
    public int Held => Volatile.Read(ref _held);

    public void Release() => _release.TrySetResult();

    public async Task Handle(HttpContext context)
    {
        if (context.Request.Path == path)
        {
            Interlocked.Increment(ref _held);
            await _release.Task;
        }
        await context.Response.WriteAsync(body);
    }
}
