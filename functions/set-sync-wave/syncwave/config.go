package syncwave

import (
	"fmt"

	"github.com/kfgitops/kfgitops/kit"
)

// Kind is the typed functionConfig kind.
const Kind = "SetSyncWave"

// Config is the functionConfig; Defaults returns what upstream Kubeflow needs.
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// Rules place objects in waves: the first rule whose selector matches an
	// object gives its wave. An object no rule matches gets wave 0, Argo
	// CD's own default, written out.
	Rules []Rule `json:"rules"`
	// Overwrite replaces a sync-wave annotation the object already has;
	// otherwise that wave is kept and the dependency analysis may not move it.
	Overwrite bool `json:"overwrite"`
	// Dependencies raises waves so that every object comes after what it
	// needs (CRDs, Namespaces, webhook backends, APIServices, PriorityClasses).
	Dependencies bool `json:"dependencies"`
	// ValidateOnly changes nothing: each object's wave is read from its
	// annotation (absent: 0, as Argo CD reads it) and every dependency the
	// waves violate, and every CRD that needs ServerSideApply and lacks it,
	// is an error.
	ValidateOnly bool `json:"validateOnly"`
	// PullNamespacesForward moves a Namespace down to the lowest wave of the
	// objects in it, as Argo CD itself does inside one Application; doing it
	// here keeps that true when waves become separate Applications.
	PullNamespacesForward bool `json:"pullNamespacesForward"`
	// ServerSideApplyCRDs: "Large" (CRDs over 262,144 bytes as compact JSON,
	// which client-side apply cannot store in last-applied-configuration),
	// "All", or "None".
	ServerSideApplyCRDs string `json:"serverSideApplyCRDs"`
	// SkipDryRunForBundledCRDs adds SkipDryRunOnMissingResource=true to
	// custom resources whose CRD is in the bundle: the dry-run of a first
	// sync runs before the CRD exists.
	SkipDryRunForBundledCRDs bool `json:"skipDryRunForBundledCRDs"`
}

// Rule places the objects its selector matches in a wave.
type Rule struct {
	Match kit.Selector `json:"match"`
	Wave  *int         `json:"wave"`
	// Pin forbids the dependency analysis to raise these objects: a
	// dependency that needs them later is an error instead.
	Pin bool `json:"pin,omitempty"`
}

// Values of ServerSideApplyCRDs.
const (
	SSALarge = "Large"
	SSAAll   = "All"
	SSANone  = "None"
)

// Validate checks rules and enumerations.
func (c *Config) Validate() error {
	for i, rule := range c.Rules {
		if rule.Wave == nil {
			return fmt.Errorf("rules[%d].wave is required", i)
		}
		if err := rule.Match.Validate(); err != nil {
			return fmt.Errorf("rules[%d].match: %w", i, err)
		}
	}
	switch c.ServerSideApplyCRDs {
	case SSALarge, SSAAll, SSANone:
	default:
		return fmt.Errorf("serverSideApplyCRDs %q: want %s, %s or %s", c.ServerSideApplyCRDs, SSALarge, SSAAll, SSANone)
	}
	return nil
}

// Defaults is the configuration for upstream Kubeflow.
func Defaults() Config {
	return Config{
		Rules:                    KubeflowRules(),
		Dependencies:             true,
		PullNamespacesForward:    true,
		ServerSideApplyCRDs:      SSALarge,
		SkipDryRunForBundledCRDs: true,
	}
}

// The Kubeflow waves.
const (
	WaveCRDs           = -2
	WaveCertManager    = -1
	WaveInfrastructure = 0
	WaveApps           = 1
)

// KubeflowRules places upstream Kubeflow: CRDs, then cert-manager, then the
// infrastructure every app relies on (Istio with istio-cni and ztunnel, dex,
// oauth2-proxy, Knative, and the ingress and mesh plumbing the other
// functions of the pipeline add), then the apps. Components are recognised
// by namespace, by the labels their upstream manifests carry, and for the
// few unlabelled cluster-scoped parts by name.
func KubeflowRules() []Rule {
	var rules []Rule
	add := func(wave int, selectors ...kit.Selector) {
		for _, s := range selectors {
			rules = append(rules, Rule{Match: s, Wave: kit.Ptr(wave)})
		}
	}
	add(WaveCRDs, kit.Selector{Group: kit.Ptr(kit.GroupAPIExtensions), Kind: "CustomResourceDefinition"})
	add(WaveCertManager, componentSelectors([]string{"cert-manager"},
		map[string]string{"app.kubernetes.io/instance": "cert-manager"})...)
	// cert-manager's cluster-scoped Kubeflow configuration (the ClusterIssuer)
	// carries the component's name label only.
	add(WaveCertManager, kit.Selector{ClusterScoped: kit.Ptr(true), Labels: map[string]string{"app.kubernetes.io/name": "cert-manager"}})
	add(WaveInfrastructure, componentSelectors([]string{"istio-system", "auth", "oauth2-proxy", "knative-serving"},
		map[string]string{"app.kubernetes.io/part-of": "istio"},
		map[string]string{"app.kubernetes.io/instance": "istio"},
		map[string]string{"app.kubernetes.io/name": "istio-cni"},
		map[string]string{"app.kubernetes.io/name": "ztunnel"},
		map[string]string{"app": "ztunnel"},
		map[string]string{"app.kubernetes.io/name": "knative-serving"},
		map[string]string{"app.kubernetes.io/name": "oauth2-proxy"},
		map[string]string{"app.kubernetes.io/name": "dex"})...)
	add(WaveInfrastructure,
		// dex's RBAC carries no labels at all
		kit.Selector{Group: kit.Ptr("rbac.authorization.k8s.io"), Kind: "ClusterRole*", Name: "dex"},
		kit.Selector{Group: kit.Ptr("rbac.authorization.k8s.io"), Kind: "ClusterRole*", Name: "oauth2-proxy*"},
		// ingress and mesh plumbing: Gateway API and kgateway objects (the
		// ingress Gateway, HTTPRoutes, ReferenceGrants, waypoints, kgateway
		// policies) and whatever else kgateway-route emits for the ingress,
		// such as the Gateway's cert-manager Certificate
		kit.Selector{Group: kit.Ptr(kit.GroupGatewayAPI)},
		kit.Selector{Group: kit.Ptr("gateway.kgateway.dev")},
		kit.Selector{Labels: map[string]string{"app.kubernetes.io/managed-by": "kgateway-route"}},
	)
	add(WaveApps, kit.Selector{})
	return rules
}

// componentSelectors selects a component: its Namespace objects, everything
// in those namespaces, and anything elsewhere carrying one of the label sets.
func componentSelectors(namespaces []string, labelSets ...map[string]string) []kit.Selector {
	var out []kit.Selector
	for _, ns := range namespaces {
		out = append(out,
			kit.Selector{Group: kit.Ptr(""), Kind: "Namespace", Name: ns},
			kit.Selector{Namespace: ns})
	}
	for _, l := range labelSets {
		out = append(out, kit.Selector{Labels: l})
	}
	return out
}
