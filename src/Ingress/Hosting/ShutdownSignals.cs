using System.Runtime.InteropServices;

namespace Ballast.Ingress.Hosting;

/// <summary>
/// SIGTERM and SIGINT (Ctrl-C) for <c>ballast run</c>: the first starts the graceful shutdown, a second one
/// cuts its grace period short. Both are kept from ending the process at once (the shutdown decides when).
/// </summary>
public sealed class ShutdownSignals : IDisposable
{
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _second = new();
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _interrupt;
    private int _count;

    public ShutdownSignals()
    {
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    /// <summary>Completes at the first signal.</summary>
    public Task First => _first.Task;

    /// <summary>Cancelled at the second signal.</summary>
    public CancellationToken Second => _second.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _count) == 1) _first.TrySetResult();
        else _second.Cancel();
    }

    public void Dispose()
    {
        _term.Dispose();
        _interrupt.Dispose();
        _second.Dispose();
    }
}
