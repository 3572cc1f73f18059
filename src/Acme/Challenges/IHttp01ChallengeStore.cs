namespace Ballast.Acme.Challenges;

/// <summary>
/// Pending HTTP-01 challenges: token → key authorization. The operator copies <see cref="Current"/> into the
/// snapshot so every ingress replica answers <c>/.well-known/acme-challenge/{token}</c>, whichever one the
/// CA's validation authority reaches.
/// </summary>
public interface IHttp01ChallengeStore
{
    void Add(string token, string keyAuthorization);
    void Remove(string token);
    bool TryGet(string token, out string keyAuthorization);

    /// <summary>An immutable copy of every pending token, for the snapshot.</summary>
    IReadOnlyDictionary<string, string> Current { get; }

    /// <summary>Raised after every Add/Remove (republish the snapshot).</summary>
    event Action? Changed;
}
