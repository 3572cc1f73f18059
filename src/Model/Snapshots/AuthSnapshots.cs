using System.Collections.Immutable;

namespace Ballast.Model.Snapshots;

/// <summary>An API key by name; the key itself is kept only as its SHA-256 (hex), so the snapshot never holds it in clear.</summary>
public sealed record ApiKeyEntry(string Name, string Sha256);

public sealed record ApiKeyAuthSnapshot
{
    public string HeaderName { get; init; } = "X-Api-Key";
    public ImmutableArray<ApiKeyEntry> Keys { get; init; } = [];
    public string? ForwardKeyName { get; init; }
    public bool StripCredential { get; init; }

    public bool Equals(ApiKeyAuthSnapshot? other) =>
        other is not null && HeaderName == other.HeaderName && Keys.SequenceEqual(other.Keys)
        && ForwardKeyName == other.ForwardKeyName && StripCredential == other.StripCredential;

    public override int GetHashCode() => HashCode.Combine(HeaderName, Keys.Length, ForwardKeyName, StripCredential);
}

/// <summary>A basic-auth user and the bcrypt hash of its password (<c>$2y$…</c>).</summary>
public sealed record BasicAuthUser(string Name, string Hash);

public sealed record BasicAuthSnapshot
{
    public string Realm { get; init; } = "ballast";
    public ImmutableArray<BasicAuthUser> Users { get; init; } = [];
    public string? ForwardUser { get; init; }
    public bool StripCredential { get; init; }

    public bool Equals(BasicAuthSnapshot? other) =>
        other is not null && Realm == other.Realm && Users.SequenceEqual(other.Users)
        && ForwardUser == other.ForwardUser && StripCredential == other.StripCredential;

    public override int GetHashCode() => HashCode.Combine(Realm, Users.Length, ForwardUser, StripCredential);
}

public sealed record ExternalAuthSnapshot
{
    public string Url { get; init; } = "";
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Empty: every request header is sent.</summary>
    public ImmutableArray<string> ForwardHeaders { get; init; } = [];
    public ImmutableArray<string> ResponseHeaders { get; init; } = [];
    public bool FailOpen { get; init; }

    public bool Equals(ExternalAuthSnapshot? other) =>
        other is not null && Url == other.Url && Timeout == other.Timeout && ForwardHeaders.SequenceEqual(other.ForwardHeaders)
        && ResponseHeaders.SequenceEqual(other.ResponseHeaders) && FailOpen == other.FailOpen;

    public override int GetHashCode() => HashCode.Combine(Url, Timeout, FailOpen);
}
