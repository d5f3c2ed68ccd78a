package syncwave

// argoKindOrder is Argo CD's in-wave apply order (gitops-engine
// pkg/sync/sync_tasks.go kindOrder). Inside one wave Argo CD applies these
// kinds in this order, then every other kind, by name; it waits for nothing
// between kinds. A dependency on an object whose kind comes strictly
// earlier is met inside one wave when it only needs to exist; anything else
// needs a wave boundary.
var argoKindOrder = []string{
	"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
	"ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
	"PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
	"ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
	"Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
}

var argoKindRank = func() map[string]int {
	m := make(map[string]int, len(argoKindOrder))
	for i, k := range argoKindOrder {
		m[k] = i - len(argoKindOrder)
	}
	return m
}()

// kindRank is Argo CD's rank of a kind (the group is ignored, as Argo CD
// ignores it): negative for the listed kinds, 0 for every other.
func kindRank(kind string) int { return argoKindRank[kind] }
