package verify

import (
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"maps"
	"slices"
)

// Istio labels of the ambient data plane.
const (
	dataplaneModeLabel = "istio.io/dataplane-mode"
	injectionLabel     = "istio-injection"
)

func checkSidecarKeys(b *bundle, r *reporter) error {
	allowed := map[string]bool{}
	for _, k := range b.cfg.AllowedSidecarKeys {
		allowed[k] = true
	}
	for _, ns := range b.byKind[kit.NamespaceKind] {
		if ns.GetLabels()[injectionLabel] == "enabled" {
			r.errorf(ns, "metadata.labels."+injectionLabel, "sidecar injection is still enabled for the namespace")
		}
	}
	for _, w := range b.workloads.All() {
		for _, field := range []struct {
			name string
			m    map[string]string
		}{{"labels", w.Labels}, {"annotations", w.Annotations}} {
			for _, k := range slices.Sorted(maps.Keys(field.m)) {
				if !istio.IsSidecarKey(k) || allowed[k] || (k == istio.SidecarInjectKey && field.m[k] == "false") {
					continue
				}
				r.errorf(w.Object, joinField(w.Path, "metadata."+field.name+"."+k), "sidecar-only key %s=%q is left in the pod template", k, field.m[k])
			}
		}
	}
	return nil
}

// ambientNamespaces are the bundle's Namespaces enrolled in ambient.
func (b *bundle) ambientNamespaces() []string {
	var out []string
	for _, ns := range b.byKind[kit.NamespaceKind] {
		if ns.GetLabels()[dataplaneModeLabel] == "ambient" {
			out = append(out, ns.GetName())
		}
	}
	return out
}

func checkAmbientL7(b *bundle, r *reporter) error {
	ambient := map[string]bool{}
	for _, ns := range b.ambientNamespaces() {
		ambient[ns] = true
	}
	for _, p := range b.byKind[istio.AuthorizationPolicyKind] {
		if !ambient[p.GetNamespace()] {
			continue
		}
		if sel, found, _ := p.NestedSubObject("spec", "selector"); !found || sel.IsEmpty() {
			continue
		}
		l7 := istio.AuthorizationPolicyL7Fields(p)
		if len(l7) == 0 {
			continue
		}
		r.errorf(p, l7[0], "namespace %s is ambient and ztunnel, which enforces selector policies, ignores L7 attributes (%d here): target a waypoint with targetRefs instead", p.GetNamespace(), len(l7))
	}
	return nil
}
