using System.Runtime.CompilerServices;
using Prometheus;

namespace Ballast.Ingress.Metrics;

/// <summary>
/// One <typeparamref name="T"/> per <see cref="CollectorRegistry"/>, created on first use: a folder's metrics are
/// registered once in the host's registry however many routes, pools or hosts ask for them (a second registration of
/// a family would throw), and tests that start several hosts, each with its own registry, get one set per host. Held
/// weakly: a registry that is gone takes its instance with it.
/// </summary>
public sealed class PerRegistry<T>(Func<CollectorRegistry, T> create) where T : class
{
    private readonly ConditionalWeakTable<CollectorRegistry, T> _instances = new();
    private readonly ConditionalWeakTable<CollectorRegistry, T>.CreateValueCallback _create = create.Invoke;

    /// <summary>The instance of <paramref name="registry"/>, created the first time it is asked for.</summary>
    public T Of(CollectorRegistry registry) => _instances.GetValue(registry, _create);
}
