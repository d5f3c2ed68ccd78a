package verify

import (
	"bytes"
	"testing"

	"github.com/kfgitops/kfgitops/functions/verify/crds"
	"github.com/kfgitops/kfgitops/kit"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// crdKind reads group and kind by line; it must agree with a full decode on
// every embedded CRD, or a kind would silently go unvalidated.
func TestCRDKindOnEmbeddedCRDs(t *testing.T) {
	files, err := crds.All()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		for _, doc := range bytes.Split(f.Data, []byte("\n---")) {
			var crd apiextv1.CustomResourceDefinition
			if err := yaml.Unmarshal(doc, &crd); err != nil || crd.Kind != "CustomResourceDefinition" {
				continue
			}
			n++
			want := kit.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}
			if got, ok := crdKind(doc); !ok || got != want {
				t.Errorf("%s: crdKind = %v, %v; want %v", f.Name, got, ok, want)
			}
		}
	}
	if n < 19 {
		t.Errorf("only %d CRDs embedded", n)
	}
}
