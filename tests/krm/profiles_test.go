package krm

import (
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/functions/verify/verify"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Declared profiles on a real render, through the whole chain and verify:
// every rendered and derived object validates against the bundle's CRDs
// (Profile, AuthorizationPolicy, Gateway API), and every object of a
// declared profile is delivered by the profiles Application.
func TestDeclaredProfilesOnCorpus(t *testing.T) {
	rl, err := fn.ParseResourceList(declaredChainOutput(t))
	if err != nil {
		t.Fatal(err)
	}
	rl.FunctionConfig = nil // verify with its defaults, after the chain as in the pipeline
	if !verify.Function.Process(rl) {
		for _, r := range rl.Results {
			if r.Severity == fn.Error {
				t.Errorf("verify: %s", r)
			}
		}
		t.FailNow()
	}
	found := map[string]bool{}
	for _, o := range rl.Items {
		if o.GetLabel(kit.ManagedByLabel) != kit.ManagedByProfiles {
			continue
		}
		found[o.GetKind()] = true
		if path := o.PathAnnotation(); filepath.Dir(path) != "profiles" {
			t.Errorf("%s %s/%s: written to %s, not with the Profiles", o.GetKind(), o.GetNamespace(), o.GetName(), path)
		}
		if o.GetNamespace() == "old-project" && !kit.NamespaceKind.Is(o) {
			t.Errorf("%s old-project/%s: rendered for a retired profile", o.GetKind(), o.GetName())
		}
	}
	for _, kind := range []string{"Namespace", "Profile", "RoleBinding", "AuthorizationPolicy", "Gateway"} {
		if !found[kind] {
			t.Errorf("no %s with the profiles marker in the output", kind)
		}
	}
}
