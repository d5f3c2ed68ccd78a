package argocd_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

func TestSyncWave(t *testing.T) {
	for _, c := range []struct {
		doc       string
		wave      int
		has, fail bool
	}{
		{"metadata:\n  name: a\n", 0, false, false},
		{"metadata:\n  name: a\n  annotations:\n    argocd.argoproj.io/sync-wave: \"-2\"\n", -2, true, false},
		{"metadata:\n  name: a\n  annotations:\n    argocd.argoproj.io/sync-wave: early\n", 0, true, true},
	} {
		o, err := fn.ParseKubeObject([]byte("apiVersion: v1\nkind: ConfigMap\n" + c.doc))
		if err != nil {
			t.Fatal(err)
		}
		wave, has, err := argocd.SyncWave(o)
		if wave != c.wave || has != c.has || (err != nil) != c.fail {
			t.Errorf("%q: got %d %v %v", c.doc, wave, has, err)
		}
	}
}

func TestAddSyncOption(t *testing.T) {
	o, err := fn.ParseKubeObject([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    argocd.argoproj.io/sync-options: Prune=false, ServerSideApply=false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if added, _ := argocd.AddSyncOption(o, "ServerSideApply", "true"); added {
		t.Error("overrode ServerSideApply=false")
	}
	if added, _ := argocd.AddSyncOption(o, "SkipDryRunOnMissingResource", "true"); !added {
		t.Error("did not add SkipDryRunOnMissingResource")
	}
	if got := o.GetAnnotation(argocd.SyncOptionsAnnotation); got != "Prune=false,ServerSideApply=false,SkipDryRunOnMissingResource=true" {
		t.Errorf("options %q", got)
	}
}
