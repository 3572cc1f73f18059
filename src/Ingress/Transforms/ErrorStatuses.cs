using Ballast.Model.Snapshots;

namespace Ballast.Ingress.Transforms;

/// <summary>The statuses a route replaces with an error page (custom error responses): a lookup table, no allocation.</summary>
public sealed class ErrorStatuses
{
    private readonly bool[] _statuses = new bool[600];

    public ErrorStatuses(ErrorResponsesSnapshot config)
    {
        foreach (var s in config.Statuses) _statuses[s] = true;
    }

    public bool Replaces(int status) => status is > 0 and < 600 && _statuses[status];
}

/// <summary>Set by the route's transformer when the backend answered a status the route replaces (its body was not copied).</summary>
public sealed class ErrorPageFeature(int status)
{
    public int Status { get; } = status;
}
