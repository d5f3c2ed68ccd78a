package ambientmesh_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/kfgitops/kfgitops/functions/ambient-mesh/ambientmesh"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kfgitops/kfgitops/kit/meshauthz"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The Istio authorization evaluator of kit/meshauthz checks that the
// sources as their controllers keep them, together with what
// MigrateNamespace derives, decide every request under ambient as the
// sources decided it with sidecars, or deny it.

// globalDenyAll is Kubeflow's istio-system/global-deny-all: mesh-wide, on
// sidecars and on ztunnel, not on waypoints (no targetRefs).
var globalDenyAll = meshauthz.Policy{Name: "global-deny-all", Action: "ALLOW"}

func checkAuthorization(t *testing.T, sources fn.KubeObjects, got *ambientmesh.NamespaceMigration, opts ambientmesh.NamespaceOptions, exact bool) {
	t.Helper()
	var src, derived []meshauthz.Policy
	for _, o := range sources {
		if o.GetLabel(ambientmesh.ManagedByLabel) == "" {
			src = append(src, meshauthz.Decode(t, o))
		}
	}
	for _, source := range slices.Sorted(maps.Keys(got.Derived)) {
		for _, o := range got.Derived[source] {
			derived = append(derived, meshauthz.Decode(t, o))
		}
	}
	wpNS := opts.Waypoint.Namespace
	if wpNS == "" {
		wpNS = profileNS
	}
	waypoint := "cluster.local/ns/" + wpNS + "/sa/" + opts.Waypoint.Name
	pods, fronting := podsAndServices(t, opts.Services)
	checked := 0
	for _, pod := range pods {
		sidecar := []meshauthz.Policy{globalDenyAll}
		ztunnel := []meshauthz.Policy{globalDenyAll}
		for _, p := range append(append([]meshauthz.Policy{}, src...), derived...) {
			if !p.AppliesTo(pod) {
				continue
			}
			if z, enforced := meshauthz.OnZtunnel(p); enforced {
				ztunnel = append(ztunnel, z)
			}
		}
		for _, p := range src {
			if p.AppliesTo(pod) {
				sidecar = append(sidecar, p)
			}
		}
		for _, era := range requests() {
			want := meshauthz.Decide(t, sidecar, era.sidecar, true)
			direct := meshauthz.Decide(t, ztunnel, era.ambient, false)
			if direct && !want {
				t.Errorf("pod %v: %v is allowed directly under ambient, denied with sidecars", pod, era.ambient)
			}
			for _, svc := range fronting[fmt.Sprint(pod)] {
				var atWaypoint []meshauthz.Policy
				for _, p := range append(append([]meshauthz.Policy{}, src...), derived...) {
					if slices.ContainsFunc(p.TargetRefs, func(ref map[string]string) bool {
						return ref["kind"] == "Service" && ref["name"] == svc || ref["kind"] == "Gateway" && ref["name"] == opts.Waypoint.Name && wpNS == profileNS
					}) {
						atWaypoint = append(atWaypoint, p)
					}
				}
				fromWaypoint := era.ambient
				fromWaypoint.Principal = waypoint
				via := meshauthz.Decide(t, atWaypoint, era.ambient, true) && meshauthz.Decide(t, ztunnel, fromWaypoint, false)
				checked++
				switch {
				case via && !want:
					t.Errorf("pod %v: %v through Service %s is allowed under ambient, denied with sidecars", pod, era.ambient, svc)
				case exact && want && !via:
					t.Errorf("pod %v: %v through Service %s is denied under ambient, allowed with sidecars", pod, era.ambient, svc)
				}
			}
		}
	}
	if len(opts.Services) > 0 && checked == 0 {
		t.Error("no request through the waypoint checked")
	}
}

// podsAndServices: one pod per Service selector (plus one no Service fronts),
// and the Services in front of each.
func podsAndServices(t *testing.T, services fn.KubeObjects) ([]map[string]string, map[string][]string) {
	pods := []map[string]string{{"app": "batch"}}
	fronting := map[string][]string{}
	for _, s := range services {
		sel, _, _ := s.NestedStringMap("spec", "selector")
		if len(sel) == 0 {
			continue
		}
		pods = append(pods, sel)
		fronting[fmt.Sprint(sel)] = append(fronting[fmt.Sprint(sel)], s.GetName())
	}
	return pods, fronting
}

type eraRequest struct{ sidecar, ambient meshauthz.Request }

// requests are every combination of client, path, method, port, user and
// ext-authz verdict; the ingress client's identity is Istio's ingress
// gateway with sidecars and kgateway under ambient.
func requests() []eraRequest {
	clients := [][2]string{
		{istio.IngressGatewayPrincipal, kubeflow.IngressGateway.Principal()},
		{"cluster.local/ns/kubeflow/sa/ml-pipeline-ui", ""},
		{"cluster.local/ns/kubeflow/sa/notebook-controller-service-account", ""},
		{"cluster.local/ns/" + profileNS + "/sa/default-editor", ""},
		{"cluster.local/ns/kubeflow-user-other/sa/default-editor", ""},
		{"cluster.local/ns/kubeflow-waypoints/sa/other", ""},
		{"", ""},
	}
	var out []eraRequest
	for _, c := range clients {
		for _, path := range []string{"/notebook/x/", "/healthz", "/notebook/x/api/kernels", "/private/a", "/reports/q", "/public/p", "/status"} {
			for _, method := range []string{"GET", "POST"} {
				for _, port := range []string{"8888", "8080"} {
					for _, user := range []string{"user@example.com", "jane@example.com", "bartholomew.montgomery-fitzgerald@research-lab.example.org", ""} {
						for _, ext := range []string{"allow", ""} {
							r := meshauthz.Request{Principal: c[0], Path: path, Method: method, Port: port, Headers: map[string]string{"kubeflow-userid": user, meshauthz.ExtAuthzHeader: ext}}
							a := r
							if c[1] != "" {
								a.Principal = c[1]
							}
							out = append(out, eraRequest{r, a})
						}
					}
				}
			}
		}
	}
	return out
}
