// Package argocd holds what this project knows of Argo CD: the order in which
// it applies kinds inside a sync wave, and the annotations that order a sync
// and tune how objects are applied.
package argocd

import (
	"github.com/kfgitops/kfgitops/kit"
)

// ApplicationKind is Argo CD's Application.
var ApplicationKind = kit.GroupKind{Group: "argoproj.io", Kind: "Application"}

// KindOrder is Argo CD's in-wave apply order (gitops-engine
// pkg/sync/sync_tasks.go kindOrder). Inside one wave Argo CD applies these
// kinds in this order, then every other kind, by name; it waits for nothing
// between kinds. The group is ignored, as Argo CD ignores it.
var KindOrder = []string{
	"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
	"ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
	"PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
	"ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
	"Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
}

var kindRank = func() map[string]int {
	m := make(map[string]int, len(KindOrder))
	for i, k := range KindOrder {
		m[k] = i - len(KindOrder)
	}
	return m
}()

// KindRank is a kind's place in KindOrder: negative for the
// listed kinds (earlier is smaller), 0 for every other kind.
func KindRank(kind string) int { return kindRank[kind] }
