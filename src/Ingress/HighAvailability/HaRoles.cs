using Prometheus;

namespace Ballast.Ingress.HighAvailability;

/// <summary>
/// The VRRP role of this node, as keepalived's notify script reports it (keepalived owns the state; Ballast only
/// shows it): <c>ballast_ha_role{vrrp_instance,role}</c> is 1 for the instance's current role and 0 for the others, so
/// an alert can say "no node is master" or "both are" (not <c>instance</c>: Prometheus owns that label for the target). Bounded: at most <see cref="MaxInstances"/> instance names,
/// each a short token, so a misbehaving caller cannot grow the series without limit.
/// </summary>
public sealed class HaRoles
{
    public const int MaxInstances = 16;
    public const int MaxInstanceLength = 64;

    /// <summary>keepalived's states, lower-cased as the metric's <c>role</c> label.</summary>
    public static readonly IReadOnlyList<string> Roles = ["master", "backup", "fault", "stop"];

    private readonly Gauge _role;
    private readonly Dictionary<string, string> _current = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public HaRoles(CollectorRegistry registry)
    {
        _role = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge("ballast_ha_role",
            "VRRP role of this node per keepalived instance, as told by keepalived's notify script (POST /admin/ha/role): 1 for the current role.",
            new GaugeConfiguration { LabelNames = ["vrrp_instance", "role"] });
    }

    /// <summary>After every role keepalived reports (a VIP may have come or gone): on the caller's thread, off the proxy path.</summary>
    public event Action? Changed;

    /// <summary>The last role reported per instance.</summary>
    public IReadOnlyDictionary<string, string> Current
    {
        get { lock (_lock) return new Dictionary<string, string>(_current, StringComparer.Ordinal); }
    }

    /// <summary>Records <paramref name="state"/> (MASTER, BACKUP, FAULT or STOP, any case) for <paramref name="instance"/>.</summary>
    /// <returns>Null on success, else the error naming the field.</returns>
    public string? TrySet(string? instance, string? state)
    {
        if (string.IsNullOrEmpty(instance)) return "instance: required (the VRRP instance name keepalived passes as $2)";
        if (instance.Length > MaxInstanceLength || !instance.All(IsNameChar))
            return $"instance: at most {MaxInstanceLength} characters of letters, digits, '_', '-' and '.'";
        var role = state?.ToLowerInvariant();
        if (role is null || !Roles.Contains(role)) return "state: one of MASTER, BACKUP, FAULT, STOP (keepalived passes it as $3)";
        lock (_lock)
        {
            if (!_current.ContainsKey(instance) && _current.Count >= MaxInstances) return $"instance: at most {MaxInstances} instances per node";
            _current[instance] = role;
            foreach (var each in Roles) _role.WithLabels(instance, each).Set(each == role ? 1 : 0);
        }
        Changed?.Invoke();
        return null;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';
}
