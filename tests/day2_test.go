package tests

import (
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
)

// pipelines/kubeflow-day2 over the master render through the real
// kustomize: whatever transformers its kustomization lists (the day-2
// functions, the chain, verify last) run as exec binaries, and the build
// exits 0, so verify passes on the output. The test reads the package as it
// is: a day-2 function joins it by its kustomization entry and config file.
func TestDay2PipelineOnCorpus(t *testing.T) {
	assertPackageOnCorpus(t, filepath.Join("pipelines", "kubeflow-day2"), corpus.Master)
}
