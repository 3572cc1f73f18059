using System.Security.Cryptography;
using System.Text;
using Ballast.Model.Serialization;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation;

/// <summary>Hex SHA-256 of the snapshot's canonical JSON, with Version 0 and no hash: equal content, equal hash.</summary>
public static class SnapshotHash
{
    public static string Compute(Snapshot snapshot)
    {
        var json = ModelJson.Canonical(snapshot with { Version = 0, ContentHash = "" });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
    }
}
