package kit_test

import (
	"slices"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

func TestRemoveRendered(t *testing.T) {
	rl, err := fn.ParseResourceList([]byte(`apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: ours, labels: {app.kubernetes.io/managed-by: fn}}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: theirs, labels: {app.kubernetes.io/managed-by: other}}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: unlabelled}
- apiVersion: v1
  kind: Secret
  metadata: {name: ours-other-kind, labels: {app.kubernetes.io/managed-by: fn}}
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: ours-local-config
    labels: {app.kubernetes.io/managed-by: fn}
    annotations: {config.kubernetes.io/local-config: "true"}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		kinds []kit.GroupKind
		want  []string
	}{
		{"no kinds removes nothing", nil, []string{"ours", "theirs", "unlabelled", "ours-other-kind", "ours-local-config"}},
		{"only the marked editable objects of the kinds", []kit.GroupKind{kit.ConfigMapKind}, []string{"theirs", "unlabelled", "ours-other-kind", "ours-local-config"}},
		{"every kind given", []kit.GroupKind{kit.ConfigMapKind, kit.SecretKind}, []string{"theirs", "unlabelled", "ours-local-config"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, o := range kit.RemoveRendered(slices.Clone(rl.Items), "fn", c.kinds) {
				got = append(got, o.GetName())
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("kept %v, want %v", got, c.want)
			}
		})
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 rules", 1: "1 rule", 2: "2 rules"} {
		if got := kit.Plural(n, "rule"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}
