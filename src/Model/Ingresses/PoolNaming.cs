using Ballast.Model.Compilation;
using Ballast.Model.Ingresses.Annotations;
using Ballast.Model.Resources;

namespace Ballast.Model.Ingresses;

/// <summary>The BackendPools an Ingress's backends become: one per (Ingress, Service, port), named after all three.</summary>
internal static class PoolNaming
{
    /// <summary>Metadata of a generated resource: the Ingress's namespace, age and generation, so it orders and ages like its Ingress.</summary>
    public static ResourceMetadata GeneratedMetadata(Ingress ingress, string name) => new()
    {
        Name = name,
        Namespace = ingress.Metadata.Namespace,
        CreationTimestamp = ingress.Metadata.CreationTimestamp,
        Generation = ingress.Metadata.Generation,
    };

    /// <summary>The pool for a Service backend (created on first use), or null with an error when the backend is unusable.</summary>
    public static string? ServicePool(Ingress ingress, IngressSettings s, IngressTranslator.State state, IngressBackend backend, FieldPath field,
        List<IngressProblem> problems, string owner)
    {
        if (backend.Service is not { } svc)
        {
            var what = backend.Resource is { } r ? $"a {r.Kind} resource backend" : "no backend";
            problems.Add(IngressTranslator.Problem(ingress, IngressProblemKind.Invalid, "UnsupportedBackend", field.Value,
                $"{what}: Ballast serves Service backends only"));
            return null;
        }
        var sf = field.Field("service");
        if (svc.Name.Length == 0)
        {
            problems.Add(IngressTranslator.Problem(ingress, IngressProblemKind.Invalid, "Invalid", sf.Field("name").Value, "required"));
            return null;
        }
        if (svc.Port is not { } port || (port.Number is null) == (port.Name is null))
        {
            problems.Add(IngressTranslator.Problem(ingress, IngressProblemKind.Invalid, "Invalid", sf.Field("port").Value, "exactly one of number or name is required"));
            return null;
        }
        var ns = ingress.NamespaceOrDefault;
        if (state.Options.Services is { } services)
        {
            if (!services.TryGetValue($"{ns}/{svc.Name}", out var resolved))
                problems.Add(IngressTranslator.Missing(ingress, state.Options, "ServiceNotFound", sf.Field("name").Value,
                    $"Service \"{svc.Name}\" not found in namespace \"{ns}\""));
            else if (!resolved.Ports.Any(p => port.Number is { } n ? p.Port == n : p.Name == port.Name))
                problems.Add(IngressTranslator.Missing(ingress, state.Options, "ServicePortNotFound", sf.Field("port").Value,
                    $"Service \"{svc.Name}\" has no port {(object?)port.Number ?? port.Name}"));
        }
        var spec = new BackendPoolSpec
        {
            Service = new ServiceReference { Name = svc.Name, Port = port.Number, PortName = port.Name },
            Protocol = s.Protocol,
            Tls = s.BackendTls ? new BackendTlsSpec { InsecureSkipVerify = true } : null,
            ConnectTimeout = s.ConnectTimeout,
            SessionAffinity = s.Affinity,
            LoadBalancing = s.LoadBalancing,
        };
        return Ensure(state, ingress, $"{owner}-{svc.Name}-{(object?)port.Number ?? port.Name}", spec);
    }

    /// <summary>Adds the pool unless a pool of that name exists already; returns its name.</summary>
    public static string Ensure(IngressTranslator.State state, Ingress ingress, string name, BackendPoolSpec spec)
    {
        var full = state.Options.NamePrefix + name;
        var key = $"{ingress.NamespaceOrDefault}/{full}";
        if (!state.Pools.ContainsKey(key))
            state.Pools[key] = new BackendPool { Metadata = GeneratedMetadata(ingress, full), Source = ingress.Source, Spec = spec };
        return full;
    }
}
