package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/crdschema"
	"sigs.k8s.io/yaml"
)

// A YAML block marked `yaml crd` is an example users apply as it is (the
// serving guide's InferenceService on a PVC): each of its custom resources
// validates against the CRD the master render carries (schema, unknown
// fields, CEL), the way the API server would admit it, and the block holds
// at least one.
func TestDocsYAMLValidatesAgainstCorpusCRDs(t *testing.T) {
	var blocks []codeBlock
	for _, file := range markdownFiles(t) {
		for _, blk := range codeBlocks(t, file) {
			if blk.info == "yaml crd" {
				blocks = append(blocks, blk)
			}
		}
	}
	if len(blocks) == 0 {
		t.Fatal("no `yaml crd` block in the docs: the serving guide's model-storage example should be one")
	}
	groups := map[string]bool{}
	for _, blk := range blocks {
		for _, doc := range strings.Split(blk.body, "\n---\n") {
			var head struct{ APIVersion string }
			if yaml.Unmarshal([]byte(doc), &head) == nil && strings.Contains(head.APIVersion, "/") {
				groups[head.APIVersion[:strings.Index(head.APIVersion, "/")]] = true
			}
		}
	}
	v := corpusCRDs(t, groups)
	for _, blk := range blocks {
		rel, _ := filepath.Rel(root, blk.file)
		checked := 0
		for i, doc := range strings.Split(blk.body, "\n---\n") {
			errs, known, err := v.ValidateYAML([]byte(doc))
			if err != nil {
				t.Fatalf("%s:%d: document %d: %v", rel, blk.line, i, err)
			}
			if !known {
				continue // a built-in kind: TestDocsYAMLParses covers it
			}
			checked++
			for _, e := range errs {
				t.Errorf("%s:%d: document %d: %s", rel, blk.line, i, e)
			}
		}
		if checked == 0 {
			t.Errorf("%s:%d: `yaml crd` block without a custom resource the corpus has a CRD for", rel, blk.line)
		}
	}
}

// corpusCRDs is a validator with the master render's CRDs of the groups.
func corpusCRDs(t *testing.T, groups map[string]bool) *crdschema.Validator {
	t.Helper()
	stream, err := os.ReadFile(filepath.Join(corpus.Require(t), corpus.Master))
	if err != nil {
		t.Fatal(err)
	}
	var crds [][]byte
	for _, doc := range bytes.Split(stream, []byte("\n---\n")) {
		if !bytes.Contains(doc, []byte("\nkind: CustomResourceDefinition")) {
			continue
		}
		var head struct {
			Kind string
			Spec struct{ Group string }
		}
		if yaml.Unmarshal(doc, &head) == nil && head.Kind == "CustomResourceDefinition" && groups[head.Spec.Group] {
			crds = append(crds, doc)
		}
	}
	v := crdschema.New()
	if err := v.AddYAML(bytes.Join(crds, []byte("\n---\n"))); err != nil {
		t.Fatal(err)
	}
	return v
}
