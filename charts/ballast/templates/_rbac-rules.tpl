{{/* The operator's namespaced-or-cluster rules, shared by the ClusterRole and the per-namespace Roles. */}}
{{- define "ballast.operatorRules" -}}
  # Informers: list then watch, cluster-wide or in each watched namespace.
  - apiGroups: ["ballast.dev"]
    resources: ["loadbalancerpolicies", "backendpools"]
    verbs: ["list", "watch"]
  # Status writer: PUT on the status subresource.
  - apiGroups: ["ballast.dev"]
    resources: ["loadbalancerpolicies/status", "backendpools/status"]
    verbs: ["update"]
  - apiGroups: [""]
    resources: ["services"]
    verbs: ["list", "watch"]
  # Secrets: the operator lists and watches only the ones resources reference, each by name in its namespace
  # (fieldSelector=metadata.name=...). RBAC cannot narrow list/watch by field, so the verbs cover the namespace(s);
  # the operator never receives or holds the others.
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["list", "watch"]
  {{- if .Values.operator.acme.enabled }}
  # ACME: the leader reads, creates and replaces the account-key and certificate Secrets it owns
  # (ballast-acme-*, in each policy's namespace; names are not known in advance, so no resourceNames).
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "create", "update"]
  {{- end }}
  - apiGroups: ["discovery.k8s.io"]
    resources: ["endpointslices"]
    verbs: ["list", "watch"]
  {{- if .Values.gatewayApi.enabled }}
  # Gateway API: the operator lists and watches the namespaced kinds it reads, and writes their statuses.
  - apiGroups: ["gateway.networking.k8s.io"]
    resources: ["gateways", "httproutes", "grpcroutes", "referencegrants", "tlsroutes", "tcproutes", "udproutes"]
    verbs: ["list", "watch"]
  - apiGroups: ["gateway.networking.k8s.io"]
    resources: ["gateways/status", "httproutes/status", "grpcroutes/status", "tlsroutes/status", "tcproutes/status", "udproutes/status"]
    verbs: ["update"]
  {{- end }}
  {{- if .Values.ingressApi.enabled }}
  # Ingress: the operator lists and watches Ingresses and writes their status.loadBalancer (IngressClasses are
  # cluster-scoped: granted in the -cluster ClusterRole).
  - apiGroups: ["networking.k8s.io"]
    resources: ["ingresses"]
    verbs: ["list", "watch"]
  - apiGroups: ["networking.k8s.io"]
    resources: ["ingresses/status"]
    verbs: ["update"]
  {{- end }}
  # Events on Accepted transitions, and Warning events on Ingresses (unsupported annotations …), in the resource's namespace.
  - apiGroups: [""]
    resources: ["events"]
    verbs: ["create"]
{{- end }}
