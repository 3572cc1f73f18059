using Ballast.Ingress.Endpoints;
using Ballast.Ingress.Forwarding;
using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Tests.Forwarding;

public sealed class TriedEndpointsTests
{
    private static readonly EndpointState[] Endpoints =
        [.. Enumerable.Range(1, 5).Select(i => new EndpointState(new EndpointSnapshot { Host = "10.0.0." + i, Port = 80 }))];

    [Fact]
    public void The_balancers_choice_is_taken_when_it_was_not_tried()
    {
        var tried = new TriedEndpoints(Endpoints[0]);
        Assert.Same(Endpoints[3], tried.Untried(Endpoints[3], [.. Endpoints]));
    }

    [Fact]
    public void A_choice_already_tried_gives_way_to_the_first_endpoint_not_tried()
    {
        var tried = new TriedEndpoints(Endpoints[0]);
        tried.Add(Endpoints[1]);
        Assert.Same(Endpoints[2], tried.Untried(Endpoints[1], [.. Endpoints]));
        Assert.Same(Endpoints[2], tried.Untried(preferred: null, [.. Endpoints]));
    }

    [Fact]
    public void Each_endpoint_is_handed_out_once_and_then_there_is_none()
    {
        var tried = new TriedEndpoints(Endpoints[2]);
        var order = new List<EndpointState> { Endpoints[2] };
        while (tried.Untried(Endpoints[2], [.. Endpoints]) is { } next)
        {
            order.Add(next);
            tried.Add(next);
        }

        Assert.Equal(Endpoints.Length, order.Count);
        Assert.Equal(Endpoints.Length, order.Distinct().Count());
        Assert.Equal(Endpoints.Length, tried.Count);
        Assert.Null(tried.Untried(Endpoints[4], [.. Endpoints]));
    }

    [Fact]
    public void Endpoints_a_reload_brought_count_as_new_and_adding_twice_counts_once()
    {
        var tried = new TriedEndpoints(Endpoints[0]);
        tried.Add(Endpoints[1]);
        tried.Add(Endpoints[1]);
        Assert.Equal(2, tried.Count);
        // The pool now holds only endpoints 1 (tried) and 4 (new): the new one is next, then nothing.
        Assert.Same(Endpoints[4], tried.Untried(Endpoints[1], [Endpoints[1], Endpoints[4]]));
        tried.Add(Endpoints[4]);
        Assert.Null(tried.Untried(Endpoints[1], [Endpoints[1], Endpoints[4]]));
    }
}
