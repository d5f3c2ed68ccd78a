package ambientmesh_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/functions/ambient-mesh/ambientmesh"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Whatever policies a namespace holds, MigrateNamespace returns an error or
// a migration, never panics (the controller turns errors into Events).
func FuzzMigrateNamespace(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "_namespace", "*"))
	for _, dir := range dirs {
		if b, err := os.ReadFile(filepath.Join(dir, "policies.yaml")); err == nil {
			f.Add(b, true)
			f.Add(b, false)
		}
	}
	f.Fuzz(func(t *testing.T, policies []byte, shared bool) {
		objs, err := fn.ParseKubeObjects(policies)
		if err != nil {
			return
		}
		opts := ownWaypoint
		if shared {
			opts = sharedWaypoint
		}
		for _, o := range objs {
			if o.GetNamespace() == "" {
				_ = o.SetNamespace(profileNS)
			}
		}
		_, _ = ambientmesh.MigrateNamespace(profileNS, objs, opts)
	})
}

// One profile namespace as the profile controller and kfam leave it, with
// five notebooks: what the controller pays per reconcile.
func BenchmarkMigrateNamespace(b *testing.B) {
	var policies fn.KubeObjects
	for _, dir := range []string{"ns-owner", "kfam"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "_namespace", dir, "policies.yaml"))
		if err != nil {
			b.Fatal(err)
		}
		objs, err := fn.ParseKubeObjects(raw)
		if err != nil {
			b.Fatal(err)
		}
		policies = append(policies, objs...)
	}
	opts := ownWaypoint
	for i := range 5 {
		s, err := fn.ParseKubeObject([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: nb-" + string(rune('a'+i)) + ", namespace: " + profileNS + "}\nspec: {selector: {statefulset: nb-" + string(rune('a'+i)) + "}}\n"))
		if err != nil {
			b.Fatal(err)
		}
		opts.Services = append(opts.Services, s)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ambientmesh.MigrateNamespace(profileNS, policies, opts); err != nil {
			b.Fatal(err)
		}
	}
}
