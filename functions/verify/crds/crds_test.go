package crds_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/functions/verify/crds"
	"github.com/kfgitops/kfgitops/functions/verify/crds/pinned"
	"github.com/kfgitops/kfgitops/kit/corpus"
)

// The committed copies must equal the pinned sources: Gateway API and
// kgateway from the module cache at the versions kit/crdschema pins, the
// Argo CD CRD from ../shared/crds. `go generate ./...` fixes a mismatch.
func TestEmbeddedCRDsMatchPinnedSources(t *testing.T) {
	shared := filepath.Dir(filepath.Dir(corpus.Require(t))) // the directory holding shared/
	sources, err := pinned.Sources(shared)
	if err != nil {
		t.Fatal(err)
	}
	files, err := crds.All()
	if err != nil {
		t.Fatal(err)
	}
	embedded := map[string][]byte{}
	for _, f := range files {
		embedded[f.Name] = f.Data
	}
	for name, path := range sources {
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := embedded[name]
		switch {
		case !ok:
			t.Errorf("%s (from %s) is not embedded: run go generate ./... in functions/verify", name, path)
		case !bytes.Equal(got, want):
			t.Errorf("%s differs from %s: run go generate ./... in functions/verify", name, path)
		}
		delete(embedded, name)
	}
	for name := range embedded {
		t.Errorf("%s is embedded but has no pinned source", name)
	}
}
