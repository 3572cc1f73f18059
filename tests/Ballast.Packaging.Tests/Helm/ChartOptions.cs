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
        { "admin port on the pod IP only", ["ingress.adminAddress=podIP"] },
        { "ServiceMonitor and PrometheusRule", ["metrics.serviceMonitor.enabled=true", "metrics.prometheusRule.enabled=true", "metrics.prometheusRule.errorRatio=0.01"] },
        { "Redis affinity with a password", ["ingress.redis.address=redis.cache.svc:6379", "ingress.redis.existingSecret=redis-auth"] },
        { "tracing to an OTLP collector", ["ingress.tracing.endpoint=http://otel-collector.observability.svc:4318", "ingress.tracing.sampleRatio=0.05", "ingress.tracing.propagation=b3"] },
        { "snapshot token audience and lifetime", ["snapshotAuth.audience=ballast-snapshots", "snapshotAuth.expirationSeconds=7200"] },
        { "watched namespaces only", ["rbac.watchNamespaces[0]=shop", "rbac.watchNamespaces[1]=web"] },
        { "pod labels and annotations, extra args and env, log levels", ["operator.podLabels.team=edge", "ingress.podLabels.team=edge", "operator.podAnnotations.a=b",
            "operator.extraArgs[0]=--metrics-listen", "operator.extraArgs[1]=off", "ingress.extraArgs[0]=--log-level", "ingress.extraArgs[1]=Debug",
            "operator.extraEnv[0].name=DOTNET_GCHeapAffinitizeMask", "operator.extraEnv[0].value=ff", "operator.logLevel=Debug", "ingress.logLevel=Warning"] },
        { "ingress autoscaling and topology spread", ["ingress.autoscaling.enabled=true", "ingress.autoscaling.maxReplicas=20",
            "ingress.topologySpreadConstraints[0].maxSkew=1", "ingress.topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone",
            "ingress.topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway", "operator.topologySpreadConstraints[0].maxSkew=1",
            "operator.topologySpreadConstraints[0].topologyKey=kubernetes.io/hostname", "operator.topologySpreadConstraints[0].whenUnsatisfiable=DoNotSchedule"] },
        { "configured addresses", ["operator.addresses[0]=shop.example.com"] },
        { "no ServiceAccounts or RBAC", ["serviceAccount.create=false", "rbac.create=false"] },
        { "ACME in the cluster", ["operator.acme.enabled=true"] },
        { "no PodDisruptionBudgets", ["operator.podDisruptionBudget.enabled=false", "ingress.podDisruptionBudget.enabled=false"] },
        { "replicas, lease name, image", ["operator.replicas=3", "ingress.replicas=5", "operator.leaderElection.leaseName=ballast-lb", "image.repository=registry.example.com/ballast", "image.tag=1.2.3"] },
        { "scheduling", ["ingress.nodeSelector.role=edge", "ingress.tolerations[0].key=edge", "ingress.tolerations[0].operator=Exists", "operator.priorityClassName=system-cluster-critical", "ingress.extraEnv[0].name=DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "ingress.extraEnv[0].value=1"] },
    };
}
