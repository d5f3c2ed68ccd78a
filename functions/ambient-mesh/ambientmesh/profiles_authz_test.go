package ambientmesh_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/functions/ambient-mesh/ambientmesh"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kfgitops/kfgitops/kit/meshauthz"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// A declared profile at render time, end to end: the profiles function's
// objects for it (its golden case walk-through-ambient, read as it is), the
// profile controller's ns-owner-access-istio and Kubeflow's global-deny-all,
// through ambient-mesh; then requests from the kgateway proxy carrying each
// user's id are walked through the waypoint and ztunnel with the evaluator
// of namespace_authz_test.go. The owner and every member get in, through the
// waypoint only; a declared user who is no member, a request without the
// header and a workload of another namespace do not.
func TestDeclaredProfileAccess(t *testing.T) {
	items := readItems(t, filepath.Join("..", "..", "profiles", "profiles", "testdata", "walk-through-ambient", "_expected.yaml"))
	items = append(items, readItems(t, filepath.Join("testdata", "_profiles", "runtime.yaml"))...)
	rl := &fn.ResourceList{Items: items}
	if !ambientmesh.Function.Process(rl) {
		t.Fatalf("ambient-mesh failed: %v", rl.Results)
	}
	const ns, waypoint = "team", "cluster.local/ns/team/sa/waypoint"
	var atWaypoint []meshauthz.Policy
	ztunnel := []meshauthz.Policy{globalDenyAll}
	notebook := map[string]string{"app": "notebook"}
	for _, o := range rl.Items {
		switch {
		case kit.NamespaceKind.Is(o) && o.GetName() == ns:
			if o.GetLabel("istio.io/use-waypoint") != "waypoint" || o.GetLabel("istio.io/ingress-use-waypoint") != "true" {
				t.Errorf("Namespace %s: labels %v; want its traffic, ingress included, sent through the waypoint", ns, o.GetLabels())
			}
		case istio.AuthorizationPolicyKind.Is(o) && o.GetNamespace() == ns:
			p := meshauthz.Decode(t, o)
			if len(p.TargetRefs) > 0 {
				atWaypoint = append(atWaypoint, p)
			} else if z, enforced := meshauthz.OnZtunnel(p); enforced && p.AppliesTo(notebook) {
				ztunnel = append(ztunnel, z)
			}
			if o.GetLabel(kit.ManagedByLabel) != kit.ManagedByProfiles && o.GetName() != "ns-owner-access-istio" {
				t.Errorf("AuthorizationPolicy %s: not labelled %s=%s like the profile's other objects", o.GetName(), kit.ManagedByLabel, kit.ManagedByProfiles)
			}
		}
	}
	ingress, kfpUI := kubeflow.IngressGateway.Principal(), "cluster.local/ns/kubeflow/sa/ml-pipeline-ui"
	for _, tc := range []struct {
		principal, user string
		want            bool
	}{
		{ingress, "alice@example.com", true},
		{ingress, "bob@example.com", true},
		{ingress, "Carol.Jones+ml@example.com", true},
		{kfpUI, "bob@example.com", true},
		{ingress, "dave@example.com", false},
		{ingress, "carol.jones+ml@example.com", false},
		{ingress, "", false},
		{"cluster.local/ns/other/sa/default-editor", "bob@example.com", false},
	} {
		r := meshauthz.Request{Principal: tc.principal, Path: "/notebook/team/nb/", Method: "GET", Port: "8888", Headers: map[string]string{"kubeflow-userid": tc.user}}
		fromWaypoint := r
		fromWaypoint.Principal = waypoint
		if got := meshauthz.Decide(t, atWaypoint, r, true) && meshauthz.Decide(t, ztunnel, fromWaypoint, false); got != tc.want {
			t.Errorf("%s as %q through the waypoint: allowed %v, want %v", tc.principal, tc.user, got, tc.want)
		}
		if meshauthz.Decide(t, ztunnel, r, false) {
			t.Errorf("%s as %q straight to the pod (bypassing the waypoint): allowed", tc.principal, tc.user)
		}
	}
}

func readItems(t *testing.T, path string) fn.KubeObjects {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if rl, err := fn.ParseResourceList(b); err == nil {
		return rl.Items
	}
	objs, err := fn.ParseKubeObjects(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return objs
}
