namespace Ballast.Packaging.Tests.Helm;

/// <summary>Every option values.yaml documents, as the --set pairs a user would pass (one row per option).</summary>
public static class ChartOptions
{
    public static TheoryData<string, string[]> All => new()
    {
        { "defaults", [] },
        { "ingress as a DaemonSet", ["ingress.kind=DaemonSet"] },
        { "NodePort Service with fixed node ports", ["ingress.service.type=NodePort", "ingress.service.ports[0].name=http", "ingress.service.ports[0].port=80", "ingress.service.ports[0].targetPort=http", "ingress.service.ports[0].nodePort=30080"] },
        { "ClusterIP Service", ["ingress.service.type=ClusterIP"] },
        { "LoadBalancer class and source ranges", ["ingress.service.loadBalancerClass=service.k8s.aws/nlb", "ingress.service.loadBalancerSourceRanges[0]=10.0.0.0/8", "ingress.service.externalTrafficPolicy=Cluster"] },
        { "NetworkPolicy", ["networkPolicy.enabled=true"] },
        { "ServiceMonitor and PrometheusRule", ["metrics.serviceMonitor.enabled=true", "metrics.prometheusRule.enabled=true", "metrics.prometheusRule.errorRatio=0.01"] },
        { "Redis affinity with a password", ["ingress.redis.address=redis.cache.svc:6379", "ingress.redis.existingSecret=redis-auth"] },
        { "own snapshot token Secret", ["snapshotToken.existingSecret=ballast-token"] },
        { "no ServiceAccounts or RBAC", ["serviceAccount.create=false", "rbac.create=false"] },
        { "ACME in the cluster", ["operator.acme.enabled=true"] },
        { "no PodDisruptionBudgets", ["operator.podDisruptionBudget.enabled=false", "ingress.podDisruptionBudget.enabled=false"] },
        { "replicas, lease name, image", ["operator.replicas=3", "ingress.replicas=5", "operator.leaderElection.leaseName=ballast-lb", "image.repository=registry.example.com/ballast", "image.tag=1.2.3"] },
        { "scheduling", ["ingress.nodeSelector.role=edge", "ingress.tolerations[0].key=edge", "ingress.tolerations[0].operator=Exists", "operator.priorityClassName=system-cluster-critical", "ingress.extraEnv[0].name=DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "ingress.extraEnv[0].value=1"] },
    };
}
