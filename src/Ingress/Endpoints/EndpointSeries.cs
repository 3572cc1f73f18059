namespace Ballast.Ingress.Endpoints;

/// <summary>Metrics part of an <see cref="EndpointState"/>: whether its series were deleted (it left its pool and its drain ended).</summary>
public sealed class EndpointSeries
{
    private volatile bool _seriesRetired;

    /// <summary>
    /// Set once the endpoint's drain ended and its series were deleted; a straggler (a request cut at the drain
    /// timeout) then counts into unexported children instead of re-creating them. Read only when a route first
    /// counts a request to this endpoint, never per request.
    /// </summary>
    public bool Retired => _seriesRetired;

    internal void MarkRetired() => _seriesRetired = true;
}
