package monitoring

import (
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// dataplaneModeLabel: pods labelled none are never captured by ztunnel
// (Istio's own ztunnel, gateways, waypoints and CNI pods are).
const dataplaneModeLabel = "istio.io/dataplane-mode"

// allowPolicy is an ALLOW AuthorizationPolicy ztunnel applies to pods by
// namespace and selector.
type allowPolicy struct {
	object    *fn.KubeObject
	namespace string
	// selector nil: every pod of the namespace (of the mesh, in the root
	// namespace).
	selector map[string]string
}

// allowPolicies are the bundle's ALLOW policies that ztunnel enforces on
// pods: those without targetRefs (a targetRefs policy is a waypoint's or a
// gateway's, and pod-addressed scrapes never pass a waypoint).
func allowPolicies(items fn.KubeObjects) ([]allowPolicy, error) {
	var out []allowPolicy
	for _, o := range items {
		if !istio.AuthorizationPolicyKind.Is(o) || o.GetLabel(kit.ManagedByLabel) == ManagedBy {
			continue
		}
		var p struct {
			Spec struct {
				Action    string           `json:"action"`
				Target    []map[string]any `json:"targetRefs"`
				TargetOne map[string]any   `json:"targetRef"`
				Selector  *struct {
					MatchLabels map[string]string `json:"matchLabels"`
				} `json:"selector"`
			} `json:"spec"`
		}
		if err := kit.As(&o.SubObject, &p); err != nil {
			return nil, kit.Errorf(o, "spec", "%v", err)
		}
		if (p.Spec.Action != "" && p.Spec.Action != "ALLOW") || len(p.Spec.Target) > 0 || p.Spec.TargetOne != nil {
			continue
		}
		ap := allowPolicy{object: o, namespace: o.GetNamespace()}
		if p.Spec.Selector != nil && len(p.Spec.Selector.MatchLabels) > 0 {
			ap.selector = p.Spec.Selector.MatchLabels
		}
		out = append(out, ap)
	}
	return out, nil
}

// scrapeNeedsPolicy reports the first ALLOW policy that applies to the
// target's pods: with one, every source it does not name is denied, so
// Prometheus needs one of its own; with none, ztunnel lets the scrape
// through and adding an ALLOW would deny everything else.
func scrapeNeedsPolicy(policies []allowPolicy, rootNamespace string, r resolved) *fn.KubeObject {
	if !r.Captured || r.podLabels[dataplaneModeLabel] == "none" {
		return nil
	}
	for _, p := range policies {
		// A policy of the root namespace applies in every namespace.
		if p.namespace != r.Namespace && p.namespace != rootNamespace {
			continue
		}
		if p.selector == nil || kit.MatchLabels(p.selector, r.podLabels) {
			return p.object
		}
	}
	return nil
}
