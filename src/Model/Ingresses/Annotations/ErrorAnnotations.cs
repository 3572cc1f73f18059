using System.Globalization;

namespace Ballast.Model.Ingresses.Annotations;

/// <summary><c>custom-http-errors</c> and <c>default-backend</c>: error pages from another Service.</summary>
internal static class ErrorAnnotations
{
    public static void Read(AnnotationReader a, IngressSettings s)
    {
        var backend = a.String("default-backend");
        if (backend is not null)
        {
            if (backend.Length == 0 || backend.Contains('/') || !backend.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
            {
                a.Invalid("default-backend", $"\"{backend}\" is not a Service name in the Ingress's namespace");
                backend = null;
            }
            else s.DefaultBackend = backend;
        }
        if (a.List("custom-http-errors") is { } codes)
        {
            var statuses = new List<int>();
            foreach (var c in codes)
            {
                if (!int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 400 or > 599)
                {
                    a.Invalid("custom-http-errors", $"\"{c}\" is not an HTTP error status (400-599)");
                    return;
                }
                if (!statuses.Contains(n)) statuses.Add(n);
            }
            if (backend is null)
            {
                a.Unsupported("custom-http-errors", "needs default-backend on the Ingress (Ballast has no controller-wide default backend)");
                return;
            }
            s.ErrorStatuses = statuses;
            a.Mapped("custom-http-errors", $"errorResponses: statuses {string.Join(", ", statuses)} answered by Service {backend}");
        }
        if (backend is null) return;
        if (s.ErrorStatuses is null)
            a.Approximated("default-backend", $"errorResponses: 503 answered by Service {backend} (ingress-nginx uses it only when the Service has no endpoint; Ballast also replaces a backend's own 503)");
        else a.Mapped("default-backend", $"errorResponses.pool: Service {backend}");
    }
}
