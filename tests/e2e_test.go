package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/tests/harness"
)

var root string

func TestMain(m *testing.M) {
	var err error
	if root, err = harness.RepoRoot(); err != nil {
		panic(err)
	}
	// The pipeline runs bin/<function>: build them as `make build` does, so
	// that `go test` alone tests the current code.
	build := exec.Command("make", "-s", "build")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		panic("make build: " + err.Error())
	}
	os.Exit(m.Run())
}

// pipelineBuild runs the real kustomize over pipelines/kubeflow.
func pipelineBuild(t *testing.T, dir string, flags ...string) []byte {
	t.Helper()
	out, stderr, err := harness.Build(root, dir, flags...)
	if err != nil {
		t.Fatalf("kustomize build %s: %v\n%s", dir, err, stderr)
	}
	return out
}

func TestPipelineOnExample(t *testing.T) {
	raw := pipelineBuild(t, filepath.Join(root, "examples", "kubeflow-mini"))
	out := pipelineBuild(t, filepath.Join(root, "pipelines", "kubeflow"), harness.ExecFlags...)
	assertFunctionsRan(t, raw, out)
	assertStripped(t, out)
}

// pipelines/kubeflow-one-step runs the in-process chain as one exec function
// with every step's defaults, which pipelines/kubeflow spells out: the two
// forms give the same output, byte for byte.
func TestOneStepPipelineEqualsSixSteps(t *testing.T) {
	raw := pipelineBuild(t, filepath.Join(root, "examples", "kubeflow-mini"))
	six := pipelineBuild(t, filepath.Join(root, "pipelines", "kubeflow"), harness.ExecFlags...)
	one := pipelineBuild(t, filepath.Join(root, "pipelines", "kubeflow-one-step"), harness.ExecFlags...)
	assertFunctionsRan(t, raw, one)
	assertStripped(t, one)
	if !bytes.Equal(one, six) {
		t.Errorf("pipelines/kubeflow-one-step's output differs from pipelines/kubeflow's:\n%s", golden.Diff(string(six), string(one)))
	}
}

// Without --enable-exec kustomize exits 0 and skips every exec function; the
// check that the functions ran must catch it.
func TestSkippedFunctionsAreDetected(t *testing.T) {
	raw := pipelineBuild(t, filepath.Join(root, "examples", "kubeflow-mini"))
	skipped := pipelineBuild(t, filepath.Join(root, "pipelines", "kubeflow"), "--enable-alpha-plugins")
	if !bytes.Equal(raw, skipped) {
		t.Skip("this kustomize no longer skips exec functions silently")
	}
	if ran := functionsRan(raw, skipped); ran {
		t.Fatal("a skipped pipeline was taken for one that ran")
	}
}

// The real render through the real kustomize: the master render only, since
// kustomize's own per-function cost dominates `make test` (the release render
// runs through every function in process in tests/krm).
func TestPipelineOnCorpus(t *testing.T) {
	for _, file := range []string{corpus.Master} {
		t.Run(file, func(t *testing.T) { assertPackageOnCorpus(t, filepath.Join("pipelines", "kubeflow"), file) })
	}
}

// assertPackageOnCorpus builds a copy of the pipeline package pkg (relative
// to the root) over the corpus render file with the real kustomize: the build
// exits 0 (verify, last, passes), the functions ran, and the output holds no
// sidecar leftovers.
func assertPackageOnCorpus(t *testing.T, pkg, file string) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(corpus.Require(t), file)
	if err := harness.PackageCopy(root, pkg, dir, src); err != nil {
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

func functionsRan(raw, out []byte) bool {
	return !bytes.Equal(raw, out)
}

func assertFunctionsRan(t *testing.T, raw, out []byte) {
	t.Helper()
	if !functionsRan(raw, out) {
		t.Fatal("the pipeline's output equals its input: kustomize skipped the functions (is --enable-exec set?)")
	}
}

func assertStripped(t *testing.T, out []byte) {
	t.Helper()
	objs, err := harness.Objects(out)
	if err != nil {
		t.Fatal(err)
	}
	for id, o := range objs {
		if o.Kind() == "Sidecar" {
			t.Errorf("%s: Sidecar object left", id)
		}
		if o.Kind() == "Namespace" && strings.Contains(id, "Namespace") {
			md, _ := o["metadata"].(map[string]any)
			labels, _ := md["labels"].(map[string]any)
			if labels["istio-injection"] == "enabled" {
				t.Errorf("%s: still labelled istio-injection=enabled", id)
			}
		}
	}
}
