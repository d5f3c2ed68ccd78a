package argocdapps

import (
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
)

// Group names of the Kubeflow defaults.
const (
	GroupCRDs           = "crds"
	GroupCertManager    = "cert-manager"
	GroupInfrastructure = "infrastructure"
	GroupKubeflow       = "kubeflow"
	GroupProfiles       = "profiles"
)

// PlaceholderRepoURL is the default source.repoURL; a warning asks for the
// real one.
const PlaceholderRepoURL = "https://github.com/example/kubeflow-gitops.git"

// DefaultServer is the in-cluster destination, used when the config names
// no destination.
const DefaultServer = "https://kubernetes.default.svc"

// Defaults is the configuration for upstream Kubeflow: the stages follow the
// waves set-sync-wave gives (-2 CRDs, -1 cert-manager, 0 infrastructure,
// 1 and above Kubeflow), Profiles last because the profile controller
// (kubeflow) reconciles them; objects without a wave fall back to kind and
// namespace rules.
func Defaults() Config {
	return Config{
		Groups: []Group{
			{Name: GroupCRDs, Wave: kit.Ptr(-2)},
			{Name: GroupCertManager, Wave: kit.Ptr(-1)},
			{Name: GroupInfrastructure, Wave: kit.Ptr(0)},
			{Name: GroupKubeflow, Wave: kit.Ptr(1)},
			{Name: GroupProfiles, Wave: kit.Ptr(2)},
		},
		Rules:        DefaultRules(),
		DefaultGroup: GroupKubeflow,
		Source: Source{
			RepoURL:        PlaceholderRepoURL,
			TargetRevision: "HEAD",
		},
		Project:               "default",
		ArgoCDNamespace:       "argocd",
		ApplicationNamePrefix: "kubeflow-",
		RootApplication:       "kubeflow",
		Prune:                 true,
		SelfHeal:              true,
		PruneProtectedKinds: []kit.GroupKind{
			kit.CustomResourceDefinitionKind,
			kit.NamespaceKind,
			{Kind: "PersistentVolumeClaim"},
			kubeflow.ProfileKind,
		},
		Retry: Retry{
			Limit:   10,
			Backoff: Backoff{Duration: "5s", Factor: 2, MaxDuration: "3m"},
		},
		RootRetryLimit: -1,
		HealthCheck:    true,
		Emit:           EmitAll,
	}
}

// DefaultRules map set-sync-wave's waves onto the stages, and group objects
// that carry no wave by kind and namespace.
func DefaultRules() []Rule {
	core := ""
	return []Rule{
		{Match: kit.Selector{Group: &kubeflow.ProfileKind.Group, Kind: kubeflow.ProfileKind.Kind}, Group: GroupProfiles},
		// Declared profiles' namespaces, access objects and waypoints, which
		// must reach the cluster with their Profiles (and before them: the
		// profile controller then adopts the namespace instead of owning it).
		{Match: kit.Selector{Labels: map[string]string{kit.ManagedByLabel: kit.ManagedByProfiles}}, Group: GroupProfiles},
		{Waves: "..-2", Group: GroupCRDs},
		{Waves: "-1", Group: GroupCertManager},
		{Waves: "0", Group: GroupInfrastructure},
		{Waves: "1..", Group: GroupKubeflow},
		// Without a wave (set-sync-wave did not run):
		{Match: kit.Selector{Group: &kit.CustomResourceDefinitionKind.Group, Kind: kit.CustomResourceDefinitionKind.Kind}, Group: GroupCRDs},
		{Match: kit.Selector{Namespace: "cert-manager"}, Group: GroupCertManager},
		{Match: kit.Selector{Group: &core, Kind: "Namespace", Name: "cert-manager"}, Group: GroupCertManager},
		{Match: kit.Selector{Labels: map[string]string{"app.kubernetes.io/name": "cert-manager"}}, Group: GroupCertManager},
		{Match: kit.Selector{Group: kit.Ptr("cert-manager.io"), Kind: "ClusterIssuer"}, Group: GroupCertManager},
		{Match: kit.Selector{Namespace: "istio-system"}, Group: GroupInfrastructure},
		{Match: kit.Selector{Group: &core, Kind: "Namespace", Name: "istio-system"}, Group: GroupInfrastructure},
		{Match: kit.Selector{Labels: map[string]string{"app.kubernetes.io/part-of": "istio"}}, Group: GroupInfrastructure},
		{Match: kit.Selector{Namespace: "auth"}, Group: GroupInfrastructure},
		{Match: kit.Selector{Group: &core, Kind: "Namespace", Name: "auth"}, Group: GroupInfrastructure},
		{Match: kit.Selector{Namespace: "oauth2-proxy"}, Group: GroupInfrastructure},
		{Match: kit.Selector{Group: &core, Kind: "Namespace", Name: "oauth2-proxy"}, Group: GroupInfrastructure},
		{Match: kit.Selector{Namespace: "knative-*"}, Group: GroupInfrastructure},
		{Match: kit.Selector{Group: &core, Kind: "Namespace", Name: "knative-*"}, Group: GroupInfrastructure},
	}
}
