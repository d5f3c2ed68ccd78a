package routes_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/config"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/events"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/objects"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/routes"
	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func settings(t *testing.T) (*config.Settings, *kgatewayroute.RouteConverter) {
	t.Helper()
	s, err := config.Load("testdata/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := kgatewayroute.NewRouteConverter(s.Route)
	if err != nil {
		t.Fatal(err)
	}
	return s, rc
}

// asServed reads a fixture as the API server returns it from the watched
// version: any version of the CRD is served from one storage, so only
// apiVersion differs from what the controller wrote.
func asServed(t *testing.T, path string) (*unstructured.Unstructured, *fn.KubeObject) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	written, err := fn.ParseKubeObject(data)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(raw); err != nil {
		t.Fatal(err)
	}
	u.SetAPIVersion("networking.istio.io/v1")
	return u, written
}

// For every run-time shape, the controller writes what kgateway-route
// writes for the same VirtualService at render time (kgatewayroute.Run on a
// ResourceList holding it), with only the controller's metadata added: the
// managed-by label, the ownerReference, no kpt path annotations.
func TestDeriveEqualsRender(t *testing.T) {
	s, rc := settings(t)
	for _, name := range []string{"notebook", "notebook-rstudio", "notebook-codeserver", "tensorboard", "pvcviewer"} {
		t.Run(name, func(t *testing.T) {
			vs, written := asServed(t, filepath.Join("testdata", "virtualservices", name+".yaml"))
			got, refusals, err := routes.Derive(rc, s, vs)
			if err != nil || len(refusals) > 0 {
				t.Fatalf("refused: %v %v", err, refusals)
			}
			if len(got) == 0 {
				t.Fatal("no route derived")
			}
			rendered := render(t, s, written)
			if len(rendered) != len(got) {
				t.Fatalf("derived %d objects, render time %d", len(got), len(rendered))
			}
			for i, o := range rendered {
				want, err := objects.FromKubeObject(o, vs)
				if err != nil {
					t.Fatal(err)
				}
				if a, b := string(golden.YAMLStream(t, got[i])), string(golden.YAMLStream(t, want)); a != b {
					t.Errorf("derived:\n%s\nrender time:\n%s", a, b)
				}
				checkMetadata(t, got[i], vs)
			}
			golden.ExpectFile(t, filepath.Join("testdata", "derived", name+".yaml"), golden.YAMLStream(t, got...))
		})
	}
}

// render runs kgateway-route over a ResourceList holding only vs and
// returns what it wrote in vs's namespace (the Gateway and the bridge live
// in the Gateway's).
func render(t *testing.T, s *config.Settings, vs *fn.KubeObject) []*fn.KubeObject {
	t.Helper()
	rl := &fn.ResourceList{Items: fn.KubeObjects{vs}}
	cfg := s.Route
	if err := kgatewayroute.Run(rl, &cfg); err != nil {
		t.Fatal(err)
	}
	var out []*fn.KubeObject
	for _, o := range rl.Items {
		if o.GetNamespace() == vs.GetNamespace() && o.GetKind() != "VirtualService" {
			out = append(out, o)
		}
	}
	return out
}

func checkMetadata(t *testing.T, u, vs *unstructured.Unstructured) {
	t.Helper()
	if !objects.Managed(u) {
		t.Errorf("%s: no %s label", objects.Identity(u), objects.ManagedByLabel)
	}
	refs := u.GetOwnerReferences()
	if len(refs) != 1 || refs[0].UID != vs.GetUID() || refs[0].Controller == nil || !*refs[0].Controller || refs[0].Kind != "VirtualService" {
		t.Errorf("%s: ownerReferences %+v, want the VirtualService as controller", objects.Identity(u), refs)
	}
	for k := range u.GetAnnotations() {
		if strings.Contains(k, "config.kubernetes.io/") {
			t.Errorf("%s: render-time annotation %s", objects.Identity(u), k)
		}
	}
	if u.GetNamespace() != vs.GetNamespace() {
		t.Errorf("%s: not in the VirtualService's namespace", objects.Identity(u))
	}
}

func TestDeriveRefuses(t *testing.T) {
	s, rc := settings(t)
	for _, tc := range []struct {
		file   string
		reason string // "" with no refusal: unbound, nothing derived
	}{
		{"virtualservices/kserve-serverless.yaml", events.NotHandled},
		{"hostile/root.yaml", events.TenancyRefused},
		{"hostile/dex.yaml", events.TenancyRefused},
		{"hostile/oauth2-callback.yaml", events.TenancyRefused},
		{"hostile/other-namespace.yaml", events.TenancyRefused},
		{"hostile/regex.yaml", events.TenancyRefused},
		{"hostile/other-host.yaml", events.TenancyRefused},
		{"hostile/other-destination.yaml", events.TenancyRefused},
		{"hostile/header-only.yaml", events.TenancyRefused},
		{"hostile/unexact.yaml", events.Unconvertible},
		{"hostile/subset.yaml", events.Unconvertible},
		{"hostile/malformed.yaml", events.Malformed},
		{"hostile/unbound.yaml", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			vs, _ := asServed(t, filepath.Join("testdata", tc.file))
			got, refusals, err := routes.Derive(rc, s, vs)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) > 0 {
				t.Fatalf("derived %d objects, want none", len(got))
			}
			var reasons []string
			for _, r := range refusals {
				reasons = append(reasons, r.Reason)
				t.Logf("%s: %s", r.Reason, r.Message)
			}
			if tc.reason == "" && len(reasons) > 0 || tc.reason != "" && !slices.Contains(reasons, tc.reason) {
				t.Errorf("reasons %q, want %q", reasons, tc.reason)
			}
		})
	}
}

// lossySubsets is a render-time choice: at run time a subset routed to the
// whole Service is still refused, never written.
func TestDeriveRefusesLossySubset(t *testing.T) {
	s, _ := settings(t)
	s.Route.LossySubsets = true
	rc, err := kgatewayroute.NewRouteConverter(s.Route)
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := asServed(t, filepath.Join("testdata", "hostile", "subset.yaml"))
	got, refusals, err := routes.Derive(rc, s, vs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 || len(refusals) == 0 || refusals[0].Reason != events.Unconvertible {
		t.Errorf("derived %d objects, refusals %+v; want none and %s", len(got), refusals, events.Unconvertible)
	}
}
