namespace Ballast.Model.Ingresses.Annotations;

/// <summary>Reads every ingress-nginx annotation of one Ingress: its settings and a verdict per annotation.</summary>
public static class NginxAnnotations
{
    public static (IngressSettings Settings, AnnotationReader Reader) Read(Ingress ingress)
    {
        var a = new AnnotationReader(ingress.Metadata.Annotations);
        var s = new IngressSettings();
        CanaryAnnotations.Read(a, s);
        if (s.Canary is not null)
        {
            // A canary Ingress shapes only its own pool; the rest is the main Ingress's.
            BackendAnnotations.Read(a, s);
            CanaryAnnotations.IgnoreOthersOnCanary(a, ingress.Metadata.Annotations);
        }
        else
        {
            PathAnnotations.Read(a, s);
            BackendAnnotations.Read(a, s);
            TrafficAnnotations.Read(a, s);
            AuthAnnotations.Read(a, s, ingress.NamespaceOrDefault);
            CorsAnnotations.Read(a, s);
            ErrorAnnotations.Read(a, s);
            MirrorAnnotations.Read(a, s, ingress.NamespaceOrDefault);
        }
        SnippetAnnotations.Read(a);
        a.Unclaimed();
        return (s, a);
    }
}
