{{/* Names and labels shared by every template. */}}
{{- define "ballast.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ballast.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "ballast.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "ballast.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ballast
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "operator"). */}}
{{- define "ballast.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ballast.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ballast.operatorName" -}}{{ include "ballast.fullname" . }}-operator{{- end -}}
{{- define "ballast.ingressName" -}}{{ include "ballast.fullname" . }}-ingress{{- end -}}

{{- define "ballast.operatorServiceAccount" -}}
{{- if .Values.serviceAccount.create -}}{{ include "ballast.operatorName" . }}{{- else -}}default{{- end -}}
{{- end -}}
{{- define "ballast.ingressServiceAccount" -}}
{{- if .Values.serviceAccount.create -}}{{ include "ballast.ingressName" . }}{{- else -}}default{{- end -}}
{{- end -}}

{{- define "ballast.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
