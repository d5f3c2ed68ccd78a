package profiles_test

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/config"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/events"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/objects"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/profiles"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/golden"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// read reads fixtures as the API server serves them from the watched
// version (v1: the upstream controllers write v1beta1, the CRD serves every
// version from one storage).
func read(t *testing.T, file string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var out []*unstructured.Unstructured
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		raw, err := yaml.YAMLToJSON(doc)
		if err != nil {
			t.Fatal(err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(raw); err != nil {
			t.Fatal(err)
		}
		if u.GetKind() == "AuthorizationPolicy" {
			u.SetAPIVersion("security.istio.io/v1")
		}
		out = append(out, u)
	}
	return out
}

func settings(t *testing.T) *config.Settings {
	t.Helper()
	s, err := config.Load(filepath.Join("..", "config", "testdata", "defaults.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A profile namespace gets its own waypoint, owned by the Namespace, and
// each source policy its derived policies, owned by it; the sources are
// left as they are.
func TestDerive(t *testing.T) {
	ns := read(t, "namespace.yaml")[0]
	policies := read(t, "policies.yaml")
	before := string(golden.YAMLStream(t, policies...))
	m, err := profiles.Derive(settings(t), ns, policies, nil, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if after := string(golden.YAMLStream(t, policies...)); after != before {
		t.Errorf("sources edited:\n%s", after)
	}
	if m.Waypoint == nil || m.Waypoint.GetName() != "waypoint" || !ownedBy(m.Waypoint, ns) {
		t.Fatalf("waypoint %v, want Gateway waypoint owned by the Namespace", m.Waypoint)
	}
	for _, p := range policies {
		derived := m.Derived[p.GetName()]
		if len(derived) == 0 {
			t.Errorf("nothing derived from %s (refusals %v)", p.GetName(), m.Refusals[p.GetName()])
		}
		for _, d := range derived {
			if !ownedBy(d, p) || !objects.Managed(d) || d.GetAPIVersion() != "security.istio.io/v1" || d.GetNamespace() != "alice" {
				t.Errorf("%s: want a managed security.istio.io/v1 policy in alice owned by %s", objects.Identity(d), p.GetName())
			}
		}
	}
	for name, r := range m.Refusals {
		t.Errorf("refused %q: %v", name, r)
	}
	var all []*unstructured.Unstructured
	for _, name := range slices.Sorted(maps.Keys(m.Derived)) {
		all = append(all, m.Derived[name]...)
	}
	golden.ExpectFile(t, filepath.Join("testdata", "derived.yaml"), golden.YAMLStream(t, append([]*unstructured.Unstructured{m.Waypoint}, all...)...))
}

// A policy the migration cannot read is refused alone: the others keep
// what they derive.
func TestDeriveMalformed(t *testing.T) {
	ns := read(t, "namespace.yaml")[0]
	policies := append(read(t, "policies.yaml"), read(t, "malformed.yaml")...)
	m, err := profiles.Derive(settings(t), ns, policies, nil, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Derived["broken"]) > 0 || len(m.Refusals["broken"]) == 0 || m.Refusals["broken"][0].Reason != events.Malformed {
		t.Errorf("broken: derived %d, refusals %v; want none and a Malformed refusal", len(m.Derived["broken"]), m.Refusals["broken"])
	}
	t.Log(m.Refusals["broken"])
	if len(m.Derived["ns-owner-access-istio"]) == 0 || len(m.Derived["user-jane-example-com-clusterrole-edit"]) == 0 {
		t.Error("the well-formed policies lost their derived policies")
	}
}

func ownedBy(o, owner *unstructured.Unstructured) bool {
	refs := o.GetOwnerReferences()
	return len(refs) == 1 && refs[0].UID == owner.GetUID() && refs[0].Kind == owner.GetKind() && refs[0].Controller != nil && *refs[0].Controller
}

// In a profile declared in Git the waypoint and the members' policies (and
// what ambient-mesh migrated of them) are Argo CD's: the controller derives
// only from what the upstream controllers create at run time.
func TestDeriveDeclaredProfile(t *testing.T) {
	ns := read(t, "namespace.yaml")[0]
	declared := map[string]string{objects.ManagedByLabel: kit.ManagedByProfiles}
	ns.SetLabels(merged(ns.GetLabels(), declared))
	policies := read(t, "policies.yaml")
	var member string
	for _, p := range policies {
		if p.GetName() != "ns-owner-access-istio" {
			p.SetLabels(merged(p.GetLabels(), declared))
			member = p.GetName()
		}
	}
	m, err := profiles.Derive(settings(t), ns, policies, nil, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if m.Waypoint != nil {
		t.Errorf("waypoint %s derived in a declared profile", objects.Identity(m.Waypoint))
	}
	if _, ok := m.Derived[member]; ok || member == "" {
		t.Errorf("declared policy %q taken as a source", member)
	}
	if len(m.Derived["ns-owner-access-istio"]) == 0 {
		t.Error("the profile controller's run-time policy derived nothing")
	}
}

func merged(a, b map[string]string) map[string]string {
	out := map[string]string{}
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}
