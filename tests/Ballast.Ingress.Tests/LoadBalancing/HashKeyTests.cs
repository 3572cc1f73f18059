using System.Net;
using Ballast.Ingress.LoadBalancing;

namespace Ballast.Ingress.Tests.LoadBalancing;

/// <summary>
/// The request keys' hash values, pinned: IP hash, consistent hash, Maglev and the affinity table place a client by
/// them, and replicas of different versions side by side (a rolling upgrade) must place it alike. A change here moves
/// clients; it must be deliberate, never a refactoring's side effect.
/// </summary>
public sealed class HashKeyTests
{
    [Theory]
    [InlineData("203.0.113.7", 13427882484680464106UL)]
    [InlineData("::ffff:203.0.113.7", 13427882484680464106UL)] // IPv4-mapped: the IPv4 address's value
    [InlineData("10.0.0.1", 9498076768530308502UL)]
    [InlineData("2001:db8::7", 2467217556331999061UL)]
    public void A_client_address_hashes_to_its_pinned_value(string address, ulong expected) =>
        Assert.Equal(expected, HashKey.Of(IPAddress.Parse(address)));

    [Theory]
    [InlineData("alice", 16379572870926341049UL)]
    [InlineData("/cart/42", 10145876176376340089UL)]
    [InlineData("", 3244421341483603138UL)]
    public void A_text_key_hashes_to_its_pinned_value(string text, ulong expected) =>
        Assert.Equal(expected, HashKey.Of(text));
}
