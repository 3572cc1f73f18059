namespace Ballast.KubeEmulator;

/// <summary>
/// What a write request says beyond its body: the field manager it is recorded under (<c>?fieldManager=</c>, or
/// the client's user agent), whether unknown fields fail it (<c>?fieldValidation=Strict</c>, kubectl's default),
/// whether it is a dry run (<c>?dryRun=All</c>), and whether it is a server-side apply.
/// </summary>
public sealed record WriteRequest(string Manager, bool StrictFields = false, bool DryRun = false, bool Applied = false)
{
    public static WriteRequest Default { get; } = new("unknown");
}
