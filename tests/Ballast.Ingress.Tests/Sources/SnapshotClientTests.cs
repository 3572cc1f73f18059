using System.Text;
using System.Text.Json.Nodes;
using Ballast.Ingress.Sources;
using Ballast.Ingress.Tests.Support;
using Ballast.Model.Serialization;
using Ballast.Model.Snapshots;
using Microsoft.Extensions.Logging;

namespace Ballast.Ingress.Tests.Sources;

/// <summary>How a replica reads the snapshots the operator sends (and keeps on disk).</summary>
public sealed class SnapshotClientTests
{
    private static readonly Snapshot Known = new()
    {
        Version = 7,
        ContentHash = "abc",
        Listeners = [new ListenerSnapshot { Name = "http", Port = 8080, Kind = ListenerKind.Http }],
    };

    [Fact]
    public void A_snapshot_from_a_newer_operator_is_applied_without_the_fields_this_replica_does_not_know_and_said_in_a_warning()
    {
        var json = JsonNode.Parse(ModelJson.Canonical(Known))!;
        json["listeners"]![0]!["fieldFromTheFuture"] = 42;
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(l => l.AddProvider(logs));

        var snapshot = SnapshotClient.Read(Encoding.UTF8.GetBytes(json.ToJsonString()), factory.CreateLogger("test"));

        Assert.Equal(Known.Listeners[0], snapshot!.Listeners[0]);
        Assert.Equal(7, snapshot.Version);
        var warning = Assert.Single(logs.Messages);
        Assert.StartsWith("Warning: Snapshot 7 has fields this replica does not know", warning);
        Assert.Contains("fieldFromTheFuture", warning);
    }

    [Fact]
    public void A_snapshot_this_replica_knows_is_read_without_a_word_and_a_malformed_one_still_throws()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(l => l.AddProvider(logs));
        var logger = factory.CreateLogger("test");

        Assert.Equal(Known.Listeners[0], SnapshotClient.Read(Encoding.UTF8.GetBytes(ModelJson.Canonical(Known)), logger)!.Listeners[0]);
        Assert.Empty(logs.Messages);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => SnapshotClient.Read(Encoding.UTF8.GetBytes("""{"version":"seven"}"""), logger));
    }
}
