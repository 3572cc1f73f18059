using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ballast.Operator.Status;

/// <summary>Creates Kubernetes Events about an object (best effort: a failed event is logged, never retried).</summary>
public sealed class EventRecorder(IKubernetes client, TimeProvider time, ILogger logger)
{
    public const string Component = "ballast-operator";

    /// <param name="involved">The object the event is about (apiVersion, kind, namespace, name, uid).</param>
    /// <param name="warning">Type Warning, else Normal.</param>
    public async Task RecordAsync(V1ObjectReference involved, bool warning, string reason, string message, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        try
        {
            await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                // A prefix must be a valid name once its trailing dash is masked: "x." is refused.
                Metadata = new V1ObjectMeta { GenerateName = involved.Name + "-", NamespaceProperty = involved.NamespaceProperty },
                InvolvedObject = involved,
                Type = warning ? "Warning" : "Normal",
                Reason = reason,
                Message = message,
                Source = new V1EventSource { Component = Component },
                FirstTimestamp = now,
                LastTimestamp = now,
                Count = 1,
            }, involved.NamespaceProperty, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode != HttpStatusCode.Conflict)
        {
            logger.LogWarning("event for {Kind} {Namespace}/{Name}: {Error}", involved.Kind, involved.NamespaceProperty, involved.Name, e.Message);
        }
    }
}
