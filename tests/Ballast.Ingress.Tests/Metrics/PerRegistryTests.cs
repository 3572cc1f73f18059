using Ballast.Ingress.Metrics;
using Ballast.Ingress.Policies;
using Prometheus;

namespace Ballast.Ingress.Tests.Metrics;

public sealed class PerRegistryTests
{
    [Fact]
    public void Each_registry_gets_one_instance_created_once_however_often_it_is_asked_for()
    {
        var created = new List<CollectorRegistry>();
        var perRegistry = new PerRegistry<object>(r => { created.Add(r); return new object(); });
        var (a, b) = (new CollectorRegistry(), new CollectorRegistry());

        var first = perRegistry.Of(a);
        Assert.Same(first, perRegistry.Of(a));
        Assert.NotSame(first, perRegistry.Of(b));
        Assert.Same(perRegistry.Of(b), perRegistry.Of(b));
        Assert.Equal([a, b], created);
    }

    [Fact]
    public void A_folders_metrics_register_once_per_registry_so_a_second_host_on_its_own_registry_gets_its_own()
    {
        var (a, b) = (new CollectorRegistry(), new CollectorRegistry());
        // The same registry gives the same metrics (registered once); another registry gets families of its own.
        Assert.Same(PolicyMetrics.Of(a), PolicyMetrics.Of(a));
        Assert.NotSame(PolicyMetrics.Of(a).RateLimited, PolicyMetrics.Of(b).RateLimited);
    }
}
