{{- define "aion-operator.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "aion-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "aion-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "aion-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "aion-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aion-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "aion-operator.labels" -}}
{{ include "aion-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: aion-db
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/*
Every permission the operator needs, and nothing more. A test (HelmChartTest / AionClusterReconcilerTest) checks
that these rules allow every API call the operator made in the reconciler tests, and the OLM bundle's CSV must hold
the same rules.
*/}}
{{- define "aion-operator.rules" -}}
- apiGroups: ["aiondb.io"]
  resources: ["aionclusters"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["aiondb.io"]
  resources: ["aionclusters/status"]
  verbs: ["get", "patch", "update"]
# Needed to set blockOwnerDeletion on owner references where OwnerReferencesPermissionEnforcement is enabled.
- apiGroups: ["aiondb.io"]
  resources: ["aionclusters/finalizers"]
  verbs: ["update"]
# AionBackup: the finalizer (deletionPolicy Delete deletes the backup's manifest first) is added and removed by
# patch; AionBackupSchedule creates its runs and deletes those its retention drops
- apiGroups: ["aiondb.io"]
  resources: ["aionbackups"]
  verbs: ["get", "list", "watch", "patch", "create", "delete"]
- apiGroups: ["aiondb.io"]
  resources: ["aionbackupschedules"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["aiondb.io"]
  resources: ["aionbackups/status", "aionbackupschedules/status"]
  verbs: ["get", "patch", "update"]
# AionUser: the finalizer (the engine's account is removed before the object) is added and removed by patch; the
# credentials Secret is owned by the AionUser (blockOwnerDeletion needs the finalizers subresource)
- apiGroups: ["aiondb.io"]
  resources: ["aionusers"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["aiondb.io"]
  resources: ["aionusers/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["aiondb.io"]
  resources: ["aionusers/finalizers"]
  verbs: ["update"]
# delete: volume growth recreates the StatefulSet (propagationPolicy Orphan: its pods keep running)
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
# volume growth: the members' claims are read and their storage request raised
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "patch"]
- apiGroups: [""]
  resources: ["configmaps", "services"]
  verbs: ["get", "create", "update"]
# Rollouts: read the members' pods, delete one to restart it on the new revision (the StatefulSet recreates it)
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "delete"]
# spec.tls: the Generated CA and certificate Secrets, and reading a user's Secret; spec.auth: the root and operator-key Secrets (created once); AionUser: its credentials Secret (a new API key is an update)
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create", "update"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "create", "update", "delete"]
# spec.networkPolicy: the members' NetworkPolicy (deleted when turned off)
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "create", "update", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["get", "create", "patch"]
# spec.monitoring.podMonitor: the members' PodMonitor (Prometheus Operator; deleted when turned off)
- apiGroups: ["monitoring.coreos.com"]
  resources: ["podmonitors"]
  verbs: ["get", "create", "update", "delete"]
{{- end -}}

{{/*
Cluster-scoped reads: a Role cannot grant them, so with watchNamespaces they get a ClusterRole of their own.
StorageClasses: volume growth checks that the claims' class allows expansion.
*/}}
{{- define "aion-operator.clusterScopedRules" -}}
- apiGroups: ["storage.k8s.io"]
  resources: ["storageclasses"]
  verbs: ["get"]
{{- end -}}
