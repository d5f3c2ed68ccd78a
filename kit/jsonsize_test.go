package kit_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// CompactJSONSize counts what encoding/json would write, on every CRD of
// the platform renders and on scalars of every YAML type.
func TestCompactJSONSize(t *testing.T) {
	docs := []string{
		"a: 1\nb: [true, false, null, ~, 1.5, 0x10, -3, 1e3]\nc: '<&>\"\\\\'\nd: \"tab\\there\\u2028\\x01\"\ne: {}\nf: []\ng: é\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: |\n    line\n    next\n",
	}
	for _, d := range docs {
		assertJSONSize(t, d)
	}
	for _, file := range []string{corpus.Master, corpus.Release} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			rl, err := fn.ParseResourceList(corpus.ResourceList(t, file))
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range rl.Items {
				if kit.CustomResourceDefinitionKind.Is(o) {
					want := sdkJSONSize(t, o)
					if got := kit.CompactJSONSize(o); got != want {
						t.Errorf("%s: CompactJSONSize %d, encoding/json %d", o.GetName(), got, want)
					}
				}
			}
		})
	}
}

func assertJSONSize(t *testing.T, doc string) {
	t.Helper()
	o, err := fn.ParseKubeObject([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kit.CompactJSONSize(o), sdkJSONSize(t, o); got != want {
		t.Errorf("%q: CompactJSONSize %d, encoding/json %d", doc, got, want)
	}
}

func sdkJSONSize(t *testing.T, o *fn.KubeObject) int {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(o.String()), &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}
