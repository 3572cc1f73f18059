using Ballast.Operator.Queue;
using Microsoft.Extensions.Time.Testing;

namespace Ballast.Operator.Tests.Queue;

public sealed class WorkQueueTests
{
    [Fact]
    public async Task A_key_added_twice_is_processed_once_and_one_added_while_processing_comes_back_after()
    {
        var q = new WorkQueue<string>(new FakeTimeProvider(), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        q.Add("a");
        q.Add("a");
        Assert.Equal(1, q.Length);
        var key = await q.TakeAsync(default);
        q.Add("a"); // changed again while being processed
        Assert.Equal(0, q.Length);
        q.Done(key);
        Assert.Equal(1, q.Length);
    }

    [Fact]
    public async Task Failures_back_off_exponentially_up_to_the_cap_and_forget_resets()
    {
        var clock = new FakeTimeProvider();
        var q = new WorkQueue<string>(clock, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(1), q.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromSeconds(2), q.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromSeconds(4), q.AddRateLimited("a"));
        Assert.Equal(TimeSpan.FromSeconds(5), q.AddRateLimited("a"));
        Assert.Equal(0, q.Length);
        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => q.Length == 1, "the first retry due after 1 s");
        q.Forget("a");
        Assert.Equal(TimeSpan.FromSeconds(1), q.NextDelay("a"));
    }
}
