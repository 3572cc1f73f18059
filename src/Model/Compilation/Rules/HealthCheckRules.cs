using System.Collections.Immutable;
using System.Globalization;
using Ballast.Model.Resources;
using Ballast.Model.Snapshots;

namespace Ballast.Model.Compilation.Rules;

internal static class HealthCheckRules
{
    private static readonly ActiveHealthSnapshot ActiveDefaults = new();
    private static readonly PassiveHealthSnapshot PassiveDefaults = new();

    public static ActiveHealthSnapshot? CompileActive(ResourceReport r, FieldPath field, ActiveHealthCheckSpec? spec, PoolProtocol protocol)
    {
        if (spec is null) return null;
        var kinds = (spec.Http is null ? 0 : 1) + (spec.Tcp is null ? 0 : 1) + (spec.Grpc is null ? 0 : 1);
        if (kinds > 1) r.Error(field, "at most one of http, tcp, grpc");
        var kind = spec.Http is not null ? ActiveCheckKind.Http
            : spec.Tcp is not null ? ActiveCheckKind.Tcp
            : spec.Grpc is not null ? ActiveCheckKind.Grpc
            : protocol switch { PoolProtocol.TCP or PoolProtocol.UDP => ActiveCheckKind.Tcp, PoolProtocol.GRPC => ActiveCheckKind.Grpc, _ => ActiveCheckKind.Http };

        Ranges.Port(r, field.Field("port"), spec.Port);
        Ranges.AtLeast(r, field.Field("interval"), spec.Interval, TimeSpan.FromMilliseconds(100));
        Ranges.Positive(r, field.Field("timeout"), spec.Timeout);
        var interval = spec.Interval?.Value ?? ActiveDefaults.Interval;
        var timeout = spec.Timeout?.Value ?? ActiveDefaults.Timeout;
        if (timeout > TimeSpan.Zero && timeout >= interval)
            r.Error(field.Field("timeout"), $"must be shorter than the interval ({new Duration(interval)}), got {new Duration(timeout)}");
        Ranges.Percent(r, field.Field("jitterPercent"), spec.JitterPercent);
        Ranges.Check(r, field.Field("unhealthyThreshold"), spec.UnhealthyThreshold, 1, 100);
        Ranges.Check(r, field.Field("healthyThreshold"), spec.HealthyThreshold, 1, 100);

        var result = new ActiveHealthSnapshot
        {
            Kind = kind,
            Port = spec.Port,
            Interval = interval,
            Timeout = timeout,
            JitterPercent = spec.JitterPercent ?? ActiveDefaults.JitterPercent,
            UnhealthyThreshold = spec.UnhealthyThreshold ?? ActiveDefaults.UnhealthyThreshold,
            HealthyThreshold = spec.HealthyThreshold ?? ActiveDefaults.HealthyThreshold,
            GrpcService = spec.Grpc?.Service,
        };
        if (spec.Http is { } http)
        {
            var h = field.Field("http");
            if (!http.Path.StartsWith('/')) r.Error(h.Field("path"), $"must start with \"/\", got \"{http.Path}\"");
            if (http.Method is { } m && !Names.IsToken(m)) r.Error(h.Field("method"), $"\"{m}\" is not a valid HTTP method");
            if (http.Host is { } host && Names.NormalizeHost(host, allowWildcard: false) is null && !Names.IsIp(host))
                r.Error(h.Field("host"), $"\"{host}\" is not a valid host name");
            var ranges = ImmutableArray.CreateBuilder<StatusRange>();
            for (var i = 0; i < (http.ExpectStatus?.Count ?? 0); i++)
            {
                if (TryParseRange(http.ExpectStatus![i], out var range)) ranges.Add(range);
                else r.Error(h.Field("expectStatus").Index(i), $"expected a status code or range within 100..599 such as \"200\" or \"200-299\", got \"{http.ExpectStatus[i]}\"");
            }
            if (http.ExpectStatus is { Count: 0 }) r.Error(h.Field("expectStatus"), "must not be empty (leave it out for 200-399)");
            result = result with
            {
                Path = http.Path,
                Method = http.Method?.ToUpperInvariant() ?? ActiveDefaults.Method,
                Host = http.Host?.ToLowerInvariant(),
                ExpectStatus = ranges.Count > 0 ? ranges.ToImmutable() : ActiveDefaults.ExpectStatus,
                BodyContains = http.BodyContains,
            };
        }
        return result;
    }

    public static PassiveHealthSnapshot? CompilePassive(ResourceReport r, FieldPath field, PassiveHealthCheckSpec? spec)
    {
        if (spec is null) return PassiveHealthSnapshot.ConnectFailureDefault;
        Ranges.Check(r, field.Field("consecutiveFailures"), spec.ConsecutiveFailures, 1, 100);
        Ranges.Positive(r, field.Field("ejectionTime"), spec.EjectionTime);
        Ranges.Positive(r, field.Field("maxEjectionTime"), spec.MaxEjectionTime);
        Ranges.Percent(r, field.Field("maxEjectionPercent"), spec.MaxEjectionPercent);
        var ejection = spec.EjectionTime?.Value ?? PassiveDefaults.EjectionTime;
        var maxEjection = spec.MaxEjectionTime?.Value ?? PassiveDefaults.MaxEjectionTime;
        if (ejection > TimeSpan.Zero && maxEjection > TimeSpan.Zero && maxEjection < ejection)
            r.Error(field.Field("maxEjectionTime"), $"must not be shorter than ejectionTime ({new Duration(ejection)})");
        return new PassiveHealthSnapshot
        {
            ConsecutiveFailures = spec.ConsecutiveFailures ?? PassiveDefaults.ConsecutiveFailures,
            EjectionTime = ejection,
            MaxEjectionTime = maxEjection,
            MaxEjectionPercent = spec.MaxEjectionPercent ?? PassiveDefaults.MaxEjectionPercent,
        };
    }

    internal static bool TryParseRange(string text, out StatusRange range)
    {
        range = default;
        var parts = text.Trim().Split('-');
        if (parts.Length is < 1 or > 2) return false;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)) return false;
        var to = from;
        if (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out to)) return false;
        if (from < 100 || to > 599 || from > to) return false;
        range = new StatusRange(from, to);
        return true;
    }
}
