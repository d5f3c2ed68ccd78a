package tests

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/tests/harness"
)

// pipelines/kubeflow-day2 over the master render through the real
// kustomize: whatever transformers its kustomization lists (the day-2
// functions, the chain, verify last) run as exec binaries, and the build
// exits 0, so verify passes on the output. The test reads the package as it
// is: a day-2 function joins it by its kustomization entry and config file.
func TestDay2PipelineOnCorpus(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(corpus.Require(t), corpus.Master)
	if err := harness.PackageCopy(root, filepath.Join("pipelines", "kubeflow-day2"), dir, src); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	out := pipelineBuild(t, dir, harness.ExecFlags...)
	assertFunctionsRan(t, raw, out)
	assertStripped(t, out)
}
