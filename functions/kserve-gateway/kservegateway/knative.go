package kservegateway

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// knativeRemoval is knativeServing: remove over one bundle: the objects of
// Knative Serving and net-istio (knativeServingParts), and the rest.
type knativeRemoval struct {
	parts   map[*fn.KubeObject]bool
	removed fn.KubeObjects // the parts, in bundle order
	others  fn.KubeObjects
	results *fn.Results
}

// removeKnativeServing removes Knative Serving and net-istio, each object
// with an info result, once nothing left in the bundle runs on them; what
// stays and still names them is reported and kept. It returns the note for
// the function's summary line.
func removeKnativeServing(rl *fn.ResourceList) (string, error) {
	items := kit.EditableItems(rl.Items)
	scope := kit.NewScope(items)
	r := &knativeRemoval{parts: map[*fn.KubeObject]bool{}, results: &rl.Results}
	for _, o := range items {
		if slices.ContainsFunc(knativeServingParts, func(s kit.Selector) bool { return s.Matches(o, scope) }) {
			r.parts[o] = true
			r.removed = append(r.removed, o)
		} else {
			r.others = append(r.others, o)
		}
	}
	if len(r.parts) == 0 {
		kit.Info(r.results, nil, "knativeServing", "remove: the bundle has no Knative Serving (nothing in namespace %s, no object labelled app.kubernetes.io/name: knative-serving, no CRD of %s): nothing removed",
			KnativeServingNamespace, strings.Join(knativeServingGroups, ", "))
		return "no Knative Serving to remove", nil
	}
	if n := r.reportUsers(); n > 0 {
		return "", fmt.Errorf("knativeServing: remove: %d object(s) above still run on Knative Serving; nothing removed (serve them in Standard mode first, or keep Knative)", n)
	}
	r.reportReferences()
	kinds := map[string]int{}
	for _, o := range r.removed {
		kinds[o.GetKind()]++
		kit.Info(r.results, o, "", "removed: part of Knative Serving and net-istio (knativeServing: remove)")
	}
	rl.Items = kit.RemoveItems(rl.Items, r.parts)
	var counts []string
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		counts = append(counts, fmt.Sprintf("%s %d", k, kinds[k]))
	}
	return fmt.Sprintf("removed Knative Serving and net-istio, %d objects (%s)", len(r.parts), strings.Join(counts, ", ")), nil
}

// reportUsers adds an error for each object that stays and still runs on
// Knative Serving, and returns how many there are.
func (r *knativeRemoval) reportUsers() int {
	n := 0
	for _, o := range r.others {
		uses := knativeUses(o)
		for _, use := range uses {
			kit.Error(r.results, o, use.field, "%s: knativeServing: remove would break it", use.why)
		}
		if len(uses) > 0 {
			n++
		}
	}
	return n
}

// knativeUse is one field of an object that needs Knative Serving.
type knativeUse struct{ field, why string }

// knativeUses lists what in o runs on Knative Serving: a Serverless
// deployment mode annotation, a custom resource of Knative's groups, a
// route through Knative's local gateway.
func knativeUses(o *fn.KubeObject) []knativeUse {
	gk := kit.GroupKindOf(o)
	var uses []knativeUse
	if slices.Contains(deploymentModeKinds, gk) {
		if mode := o.GetAnnotation(DeploymentModeAnnotation); slices.Contains(serverlessModes, mode) {
			uses = append(uses, knativeUse{"metadata.annotations." + DeploymentModeAnnotation,
				fmt.Sprintf("deployment mode %s: KServe serves this %s as a Knative Service", mode, gk.Kind)})
		}
	}
	if slices.Contains(knativeServingGroups, gk.Group) {
		uses = append(uses, knativeUse{"", fmt.Sprintf("a %s of Knative Serving (group %s), whose CRD and controller would be removed", gk.Kind, gk.Group)})
	}
	switch {
	case istio.VirtualServiceKind.Is(o):
		uses = append(uses, localGatewayRoutes(o)...)
	case kit.ServiceKind.Is(o):
		if name, _, _ := o.NestedString("spec", "externalName"); strings.HasPrefix(name, knativeLocalGatewayHost) {
			uses = append(uses, knativeUse{"spec.externalName", "an ExternalName Service to Knative's local gateway " + name})
		}
	}
	return uses
}

// localGatewayRoutes lists a VirtualService's bindings to Knative's local
// gateway and its routes to the Service in front of it (KServe's Serverless
// routes have both).
func localGatewayRoutes(vs *fn.KubeObject) []knativeUse {
	var uses []knativeUse
	bound := func(field string, gws []string) {
		for _, g := range gws {
			if istio.GatewayRef(g, vs.GetNamespace()) == knativeLocalGateway {
				uses = append(uses, knativeUse{field, "bound to Knative's local gateway " + knativeLocalGateway})
			}
		}
	}
	gws, _, _ := vs.NestedStringSlice("spec", "gateways")
	bound("spec.gateways", gws)
	httpRoutes, _, _ := vs.NestedSlice("spec", "http")
	for i, h := range httpRoutes {
		matches, _, _ := h.NestedSlice("match")
		for j, m := range matches {
			gws, _, _ := m.NestedStringSlice("gateways")
			bound(fmt.Sprintf("spec.http[%d].match[%d].gateways", i, j), gws)
		}
		dests, _, _ := h.NestedSlice("route")
		for j, d := range dests {
			if host, _, _ := d.NestedString("destination", "host"); strings.HasPrefix(host, knativeLocalGatewayHost) {
				uses = append(uses, knativeUse{fmt.Sprintf("spec.http[%d].route[%d].destination.host", i, j), "routes to Knative's local gateway " + host})
			}
		}
	}
	return uses
}
