package yamltree_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit/yamltree"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func parse(t *testing.T, doc string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	return n.Content[0]
}

var limits = yamltree.Limits{Bytes: 1 << 20, Nodes: 1 << 16, Depth: 64}

// Check measures with aliases expanded but never expands: a tree whose
// expansion is astronomically large is measured by its own size.
func TestCheck(t *testing.T) {
	bomb := "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 30; i++ {
		bomb += fmt.Sprintf("l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	deep := "a: &a " + strings.Repeat("[", 58) + "x" + strings.Repeat("]", 58) + "\nb: &b [*a, [*a]]\nc: [[[*b]]]\n"
	for _, c := range []struct{ name, doc, want string }{
		{"plain", "a: 1\nb: [x, y]\n", ""},
		{"alias bomb", bomb, "more than 65536 keys and values with its YAML aliases expanded"},
		{"deep through aliases", deep, "nested deeper than 64 levels"},
		{"duplicate key", "a: 1\nb: {c: 1, c: 2}\n", `b: key "c" appears more than once (line 2 and line 2)`},
		{"duplicate key among many", "m: {" + strings.Repeat("k0: 1, ", 1) + "k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1, k8: 1, k9: 1, k10: 1, k11: 1, k12: 1, k13: 1, k14: 1, k15: 1, k16: 1, k17: 1, k1: 2}\n", `m: key "k1" appears more than once`},
		{"cycle", "a: &a [*a]\n", "a[0]: alias *a refers to a node that contains it"},
		{"bad merge", "a: {<<: [x]}\n", `a["<<"]: element 0 of the merge list is a string`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := yamltree.Check(parse(t, c.doc), limits)
			switch {
			case c.want == "" && err != nil:
				t.Fatal(err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

// Expanded aliases are copies: editing one leaves the anchor and the other
// copies alone.
func TestExpandCopies(t *testing.T) {
	n := parse(t, "a: &x {k: v}\nb: *x\nc: {<<: *x, own: 1}\n")
	if _, err := yamltree.Check(n, limits); err != nil {
		t.Fatal(err)
	}
	n = yamltree.Expand(n)
	n.Content[3].Content[1].Value = "edited"
	out, err := yaml.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a: {k: v}\nb: {k: edited}\nc: {k: v, own: 1}\n"; string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}
