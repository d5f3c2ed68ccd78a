package kit

// ArgoCDKindOrder is Argo CD's in-wave apply order (gitops-engine
// pkg/sync/sync_tasks.go kindOrder). Inside one wave Argo CD applies these
// kinds in this order, then every other kind, by name; it waits for nothing
// between kinds. The group is ignored, as Argo CD ignores it.
var ArgoCDKindOrder = []string{
	"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
	"ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
	"PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
	"ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
	"Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
}

var argoCDKindRank = func() map[string]int {
	m := make(map[string]int, len(ArgoCDKindOrder))
	for i, k := range ArgoCDKindOrder {
		m[k] = i - len(ArgoCDKindOrder)
	}
	return m
}()

// ArgoCDKindRank is a kind's place in ArgoCDKindOrder: negative for the
// listed kinds (earlier is smaller), 0 for every other kind.
func ArgoCDKindRank(kind string) int { return argoCDKindRank[kind] }
