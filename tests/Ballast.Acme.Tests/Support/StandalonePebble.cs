using Ballast.Testing;

namespace Ballast.Acme.Tests.Support;

/// <summary>
/// A Pebble whose validation authority fetches HTTP-01 tokens from <see cref="HttpPort"/>, where the test's
/// ingress binds its plain-HTTP listener (nothing else listens there). Shared by the standalone tests, which run
/// one after the other, each with its own hostname, account and ingress.
/// </summary>
public sealed class StandalonePebble : IAsyncLifetime
{
    internal PebbleServer Pebble { get; private set; } = null!;
    public int HttpPort { get; private set; }

    public async Task InitializeAsync()
    {
        HttpPort = FreePort.Next();
        Pebble = await PebbleServer.StartAsync(HttpPort);
    }

    public async Task DisposeAsync()
    {
        if (Pebble is not null) await Pebble.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StandalonePebbleCollection : ICollectionFixture<StandalonePebble>
{
    public const string Name = "Standalone Pebble";
}
