package conformance

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

// RunCorpus runs f over every corpus file (skipping where there is none):
// exit 0, byte-identical output for the same input, f(f(x)) == f(x), and
// no object disappears unless its kind is one f documents removing.
func RunCorpus(t *testing.T, f kit.Function) {
	RunCorpusFiles(t, f, corpus.Files(t))
}

// RunCorpusFiles is RunCorpus over the given corpus files.
func RunCorpusFiles(t *testing.T, f kit.Function, files []string) {
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			if err := CorpusCheck(f, corpus.ResourceList(t, file)); err != nil {
				t.Error(err)
			}
		})
	}
}

// CorpusCheck is RunCorpus's check on one input.
func CorpusCheck(f kit.Function, in []byte) error {
	out, rl, _, err := run(f, in)
	if err != nil {
		return err
	}
	if again, _, _ := krmio.Process(f, in); !bytes.Equal(out, again) {
		return fmt.Errorf("the same input gave different outputs")
	}
	if err := idempotent(f, out); err != nil {
		return err
	}
	removable := map[kit.GroupKind]bool{}
	for _, gk := range f.RemovableKinds() {
		removable[gk] = true
	}
	after := ids(rl.Items)
	for _, o := range mustParse(in).Items {
		if !after[id(o)] && !removable[kit.GroupKindOf(o)] {
			return fmt.Errorf("%s disappeared, and %s does not document removing %s objects", id(o), f.Name(), kit.GroupKindOf(o))
		}
	}
	return nil
}
