using Ballast.Model.Resources;

namespace Ballast.Ingress.Policies.Auth;

/// <summary>
/// Standalone mode: the API-key and basic-auth user files that routes name, for the file resolver to read into
/// the Compiler's input (by path as written, like TLS files) and to watch, so editing a key file is a reload.
/// </summary>
public static class AuthFiles
{
    public static IEnumerable<string> Paths(IEnumerable<LoadBalancerPolicy> policies)
    {
        foreach (var policy in policies)
            foreach (var route in policy.Spec.Routes ?? [])
            {
                if (route.Auth?.ApiKey?.KeysFile is { } keys) yield return keys;
                if (route.Auth?.Basic?.UsersFile is { } users) yield return users;
            }
    }
}
