namespace Ballast.Ingress.L4;

/// <summary>
/// A lock-free counting cap on concurrent connections (listener-wide or pool-wide). A null/zero maximum
/// means unlimited. <see cref="TryAcquire"/> never blocks: the excess is refused, never queued.
/// </summary>
public sealed class ConnectionLimit
{
    private int _current;

    public ConnectionLimit(int? maximum) => Maximum = maximum is > 0 ? maximum.Value : int.MaxValue;

    public static ConnectionLimit Unlimited() => new(null);

    public int Maximum { get; }
    public int Current => Volatile.Read(ref _current);

    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (current >= Maximum) return false;
            if (Interlocked.CompareExchange(ref _current, current + 1, current) == current) return true;
        }
    }

    public void Release() => Interlocked.Decrement(ref _current);
}
