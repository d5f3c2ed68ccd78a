package verify

import (
	"fmt"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// policyGroups are the API groups whose kinds attach to other objects with
// spec.targetRef / spec.targetRefs (Istio, Gateway API and kgateway
// policies). Other groups use the same field names for other shapes (a
// VerticalPodAutoscaler's targetRef has an apiVersion), so they are left out.
var policyGroups = map[string]bool{
	istio.GroupSecurity: true, istio.GroupNetworking: true,
	"telemetry.istio.io": true, "extensions.istio.io": true,
	"gateway.kgateway.dev": true, kit.GroupGatewayAPI: true,
}

func checkPolicyTargets(b *bundle, r *reporter) error {
	for _, o := range b.items {
		if !policyGroups[kit.GroupOf(o.GetAPIVersion())] {
			continue
		}
		var targets []ref
		if t, found, _ := o.NestedSubObject("spec", "targetRef"); found {
			targets = append(targets, readRef(&t, "spec.targetRef", kit.GroupKind{}, o.GetNamespace()))
		}
		list, _, _ := o.NestedSlice("spec", "targetRefs")
		for i, t := range list {
			targets = append(targets, readRef(t, fmt.Sprintf("spec.targetRefs[%d]", i), kit.GroupKind{}, o.GetNamespace()))
		}
		for _, t := range targets {
			if !b.exists(t.gk, t.namespace, t.name) {
				r.errorf(o, t.field+".name", "target %s %s/%s is not in the bundle", t.gk, t.namespace, t.name)
			}
		}
	}
	return nil
}

// Istio ambient labels that point at a waypoint.
const (
	useWaypointLabel          = "istio.io/use-waypoint"
	useWaypointNamespaceLabel = "istio.io/use-waypoint-namespace"
	waypointForLabel          = "istio.io/waypoint-for"
)

// waypointUser is something labelled to send its traffic through a waypoint.
type waypointUser struct {
	object    *fn.KubeObject
	field     string // the label's path
	labels    map[string]string
	namespace string
	// traffic is what passes the waypoint: "service" (Services, ServiceEntries,
	// Namespaces) or "workload" (pods).
	traffic string
}

func (b *bundle) waypointUsers() []waypointUser {
	var out []waypointUser
	for _, o := range b.items {
		gk := kit.GroupKindOf(o)
		switch gk {
		case kit.NamespaceKind:
			out = append(out, waypointUser{o, "metadata.labels", o.GetLabels(), o.GetName(), "service"})
		case kit.ServiceKind, kit.GroupKind{Group: istio.GroupNetworking, Kind: "ServiceEntry"}:
			out = append(out, waypointUser{o, "metadata.labels", o.GetLabels(), o.GetNamespace(), "service"})
		}
	}
	for _, w := range b.workloads.All() {
		out = append(out, waypointUser{w.Object, joinField(w.Path, "metadata.labels"), w.Labels, b.scope.Namespace(w.Object), "workload"})
	}
	return out
}

func joinField(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

func checkWaypoints(b *bundle, r *reporter) error {
	for _, u := range b.waypointUsers() {
		name, ok := u.labels[useWaypointLabel]
		if !ok || name == "none" {
			continue
		}
		ns := u.namespace
		if n := u.labels[useWaypointNamespaceLabel]; n != "" {
			ns = n
		}
		field := u.field + "." + useWaypointLabel
		gw := b.get(kit.GatewayKind, ns, name)
		if gw == nil {
			if !b.external(kit.GatewayKind, ns, name) {
				r.errorf(u.object, field, "waypoint Gateway %s/%s is not in the bundle", ns, name)
			}
			continue
		}
		if !hasHBONEListener(gw) {
			r.errorf(u.object, field, "Gateway %s/%s is not a waypoint: it has no HBONE listener on port 15008", ns, name)
			continue
		}
		serves := gw.GetLabels()[waypointForLabel]
		if serves == "" {
			serves = "service" // Istio's default
		}
		if serves != "all" && serves != u.traffic && !(u.object.GetKind() == "Namespace" && serves == "workload") {
			r.errorf(u.object, field, "waypoint %s/%s is labelled %s=%s and does not take %s traffic", ns, name, waypointForLabel, serves, u.traffic)
		}
	}
	return nil
}

func hasHBONEListener(gw *fn.KubeObject) bool {
	listeners, _, _ := gw.NestedSlice("spec", "listeners")
	for _, l := range listeners {
		protocol, _, _ := l.NestedString("protocol")
		port, _, _ := l.NestedInt("port")
		if protocol == "HBONE" && port == 15008 {
			return true
		}
	}
	return false
}
