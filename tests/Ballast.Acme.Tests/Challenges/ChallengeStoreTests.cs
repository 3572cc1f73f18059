using Ballast.Acme.Challenges;

namespace Ballast.Acme.Tests.Challenges;

public sealed class ChallengeStoreTests
{
    [Theory]
    [InlineData("/.well-known/acme-challenge/abc-DEF_123", true, "abc-DEF_123")]
    [InlineData("/.well-known/acme-challenge/", false, "")]
    [InlineData("/.well-known/acme-challenge/a/b", false, "")]
    [InlineData("/.well-known/acme-challenge/a.b", false, "")]
    [InlineData("/other/abc", false, "")]
    [InlineData(null, false, "")]
    public void Recognises_challenge_paths_and_only_base64url_tokens(string? path, bool matches, string token)
    {
        Assert.Equal(matches, Http01.TryGetToken(path, out var found));
        Assert.Equal(token, found);
    }

    [Fact]
    public void Tokens_are_answered_until_removed_and_every_change_is_announced()
    {
        var store = new InMemoryHttp01ChallengeStore();
        var changes = 0;
        store.Changed += () => changes++;

        store.Add("tok1", "tok1.thumb");
        var snapshot = store.Current;
        Assert.True(store.TryGet("tok1", out var keyAuthorization));
        Assert.Equal("tok1.thumb", keyAuthorization);

        store.Remove("tok1");
        store.Remove("tok1"); // already gone: no change

        Assert.False(store.TryGet("tok1", out _));
        Assert.Equal(2, changes);
        Assert.Equal("tok1.thumb", snapshot["tok1"]); // a snapshot taken earlier does not change under the reader
    }

    [Fact]
    public void A_token_that_is_not_base64url_is_refused_naming_the_field()
    {
        var error = Assert.Throws<ArgumentException>(() => new InMemoryHttp01ChallengeStore().Add("../etc", "x"));
        Assert.Equal("token", error.ParamName);
    }
}
