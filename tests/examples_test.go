package tests

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/tests/harness"
	kptfilev1 "github.com/kptdev/kpt/pkg/api/kptfile/v1"
	"sigs.k8s.io/yaml"
)

// Every example package (a directory of examples/ with a Kptfile) renders
// through the real kustomize exactly as its .expected/ says: output.yaml is
// what `kustomize build` prints on stdout (absent when the build is meant to
// fail), stderr.txt what it prints on stderr (the functions' warnings,
// errors and summaries). A mutator's package must change its input, and
// building it again over its output changes nothing. UPDATE_GOLDEN=1 rewrites
// both files (so does `make golden`: the name holds "Golden").
func TestGoldenExamplePackages(t *testing.T) {
	dirs := examplePackages(t)
	if len(dirs) == 0 {
		t.Fatal("no example package under examples/")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) { assertRendersAsExpected(t, dir) })
	}
}

// examplePackages lists the directories of examples/ that hold a Kptfile
// (examples/kubeflow-mini is an input of pipelines/, not a package).
func examplePackages(t *testing.T) []string {
	t.Helper()
	kptfiles, err := filepath.Glob(filepath.Join(root, "examples", "*", "Kptfile"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, k := range kptfiles {
		dirs = append(dirs, filepath.Dir(k))
	}
	return dirs
}

func assertRendersAsExpected(t *testing.T, dir string) {
	t.Helper()
	stdout, stderr, err := harness.Build(root, dir, harness.ExecFlags...)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("kustomize build %s: %v\n%s", dir, err, stderr)
	}
	expected := filepath.Join(dir, ".expected")
	outPath, errPath := filepath.Join(expected, "output.yaml"), filepath.Join(expected, "stderr.txt")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		writeExpected(t, expected, outPath, errPath, stdout, stderr, err == nil)
	}
	wantErr, rerr := os.ReadFile(errPath)
	if rerr != nil {
		t.Fatalf("%v (UPDATE_GOLDEN=1 writes it)", rerr)
	}
	wantOut, rerr := os.ReadFile(outPath)
	switch {
	case errors.Is(rerr, fs.ErrNotExist) && err == nil:
		t.Errorf("the build succeeded; %s has no output.yaml, so it was meant to fail", expected)
	case errors.Is(rerr, fs.ErrNotExist):
	case rerr != nil:
		t.Fatal(rerr)
	case err != nil:
		t.Errorf("kustomize build failed, %s expects output: %v\n%s", expected, err, stderr)
	case !bytes.Equal(stdout, wantOut):
		t.Errorf("output differs from %s (UPDATE_GOLDEN=1 rewrites it):\n%s", outPath, golden.Diff(string(wantOut), string(stdout)))
	}
	if stderr != string(wantErr) {
		t.Errorf("stderr differs from %s (UPDATE_GOLDEN=1 rewrites it):\n%s", errPath, golden.Diff(string(wantErr), stderr))
	}
	if err == nil && hasMutators(t, dir) {
		assertChanged(t, dir, stdout)
		assertIdempotent(t, dir, stdout)
	}
}

// hasMutators: the package's Kptfile runs a mutator (a validator's example
// changes nothing).
func hasMutators(t *testing.T, dir string) bool {
	t.Helper()
	var kf kptfilev1.KptFile
	readYAMLFile(t, filepath.Join(dir, kptfilev1.KptFileName), &kf)
	return kf.Pipeline != nil && len(kf.Pipeline.Mutators) > 0
}

// assertChanged: a mutator's example must show the function changing
// something. Without --enable-exec kustomize skips exec functions and prints
// the input as it is.
func assertChanged(t *testing.T, dir string, out []byte) {
	t.Helper()
	raw := pipelineBuild(t, dir, "--enable-alpha-plugins")
	if bytes.Equal(raw, out) {
		t.Errorf("%s: the output equals the input: the function changed nothing", dir)
	}
}

// assertIdempotent builds the package's transformers again over its output,
// through the real kustomize: f(f(x)) == f(x).
func assertIdempotent(t *testing.T, dir string, out []byte) {
	t.Helper()
	var kustomization struct {
		Transformers []string `json:"transformers"`
	}
	readYAMLFile(t, filepath.Join(dir, "kustomization.yaml"), &kustomization)
	again := t.TempDir()
	bin := []byte(filepath.Join(root, "bin") + "/")
	list := "resources:\n- output.yaml\ntransformers:\n" + copyFiles(t, dir, again, kustomization.Transformers,
		func(raw []byte) []byte { return bytes.ReplaceAll(raw, []byte("../../bin/"), bin) })
	writeFile(t, filepath.Join(again, "output.yaml"), out)
	writeFile(t, filepath.Join(again, "kustomization.yaml"), []byte(list))
	if second := pipelineBuild(t, again, harness.ExecFlags...); !bytes.Equal(second, out) {
		t.Errorf("%s: not idempotent, building over its own output changes it:\n%s", dir, golden.Diff(string(out), string(second)))
	}
}

// copyFiles copies the named files of dir into dst, each through edit (nil:
// as they are), and returns them as the entries of a kustomization list.
func copyFiles(t *testing.T, dir, dst string, names []string, edit func([]byte) []byte) string {
	t.Helper()
	var list strings.Builder
	for _, name := range names {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			raw = edit(raw)
		}
		writeFile(t, filepath.Join(dst, name), raw)
		list.WriteString("- " + name + "\n")
	}
	return list.String()
}

func writeFile(t *testing.T, file string, data []byte) {
	t.Helper()
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeExpected rewrites .expected/: output.yaml only for a build that
// succeeded (its absence says the build fails).
func writeExpected(t *testing.T, expected, outPath, errPath string, stdout []byte, stderr string, succeeded bool) {
	t.Helper()
	if err := os.MkdirAll(expected, 0o755); err != nil {
		t.Fatal(err)
	}
	if succeeded {
		writeFile(t, outPath, stdout)
	} else if err := os.Remove(outPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	writeFile(t, errPath, []byte(stderr))
}

// examples/kubeflow-gitops runs the chain with a config per step: the same
// steps as separate exec functions, each with its part of that config, give
// the same output and stderr through the real kustomize.
func TestChainExampleEqualsSeparateFunctions(t *testing.T) {
	dir := filepath.Join(root, "examples", "kubeflow-gitops")
	var cfg map[string]any
	readYAMLFile(t, filepath.Join(dir, "kubeflow-gitops.yaml"), &cfg)
	skip, _ := cfg["skip"].([]any)
	var kustomization struct {
		Resources []string `json:"resources"`
	}
	readYAMLFile(t, filepath.Join(dir, "kustomization.yaml"), &kustomization)
	separate := t.TempDir()
	list := "resources:\n" + copyFiles(t, dir, separate, kustomization.Resources, nil) + "transformers:\n"
	for _, s := range chain.Steps {
		if slices.Contains(skip, any(s.Name())) {
			continue
		}
		step, _ := cfg[chain.ConfigKey(s)].(map[string]any)
		if step == nil {
			step = map[string]any{}
		}
		step["apiVersion"], step["kind"] = "fn.kfgitops.dev/v1alpha1", s.ConfigKind()
		step["metadata"] = map[string]any{"name": s.Name(), "annotations": map[string]any{
			"config.kubernetes.io/local-config": "true",
			"config.kubernetes.io/function":     "exec:\n  path: " + filepath.Join(root, "bin", s.Name()) + "\n",
		}}
		raw, err := yaml.Marshal(step)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(separate, s.Name()+".yaml"), raw)
		list += "- " + s.Name() + ".yaml\n"
	}
	writeFile(t, filepath.Join(separate, "kustomization.yaml"), []byte(list))
	out, stderr, err := harness.Build(root, separate, harness.ExecFlags...)
	if err != nil {
		t.Fatalf("kustomize build of the separate functions: %v\n%s", err, stderr)
	}
	wantOut, _ := os.ReadFile(filepath.Join(dir, ".expected", "output.yaml"))
	wantErr, _ := os.ReadFile(filepath.Join(dir, ".expected", "stderr.txt"))
	if !bytes.Equal(out, wantOut) {
		t.Errorf("the separate functions' output differs from the chain's:\n%s", golden.Diff(string(wantOut), string(out)))
	}
	if stderr != string(wantErr) {
		t.Errorf("the separate functions' stderr differs from the chain's:\n%s", golden.Diff(string(wantErr), stderr))
	}
}
