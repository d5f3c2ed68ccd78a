package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	kptfilev1 "github.com/kptdev/kpt/pkg/api/kptfile/v1"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// kpt cannot be installed here, so every Kptfile of the repository is held
// to kpt v1's own types and validation: strict decoding (no unknown fields),
// kpt's Validate, every function's configPath present next to it and marked
// local-config. Packages under pipelines/ run the released images (kpt needs
// Docker for them); packages under examples/ run the binaries of `make build`
// (exec, `kpt fn render --allow-exec`, no Docker). Each package's
// kustomization.yaml runs the same functions in the same order, through the
// exec annotation of the same config files, and that annotation names the
// same binary as the Kptfile.
func TestKptfilesAreValidKptV1(t *testing.T) {
	files := repoKptfiles(t)
	for _, want := range []string{"pipelines/kubeflow/Kptfile", "pipelines/kubeflow-one-step/Kptfile"} {
		if !slices.Contains(files, want) {
			t.Errorf("%s is missing", want)
		}
	}
	for _, rel := range files {
		t.Run(rel, func(t *testing.T) { checkKptfile(t, filepath.Dir(filepath.Join(root, rel))) })
	}
}

// repoKptfiles lists every Kptfile of the repository, relative to its root.
func repoKptfiles(t *testing.T) []string {
	t.Helper()
	return repoFiles(t, func(name string) bool { return name == kptfilev1.KptFileName })
}

func checkKptfile(t *testing.T, dir string) {
	b, err := os.ReadFile(filepath.Join(dir, kptfilev1.KptFileName))
	if err != nil {
		t.Fatal(err)
	}
	var kf kptfilev1.KptFile
	if err := yaml.UnmarshalStrict(b, &kf); err != nil {
		t.Fatalf("Kptfile does not decode strictly into kpt v1 types: %v", err)
	}
	if kf.APIVersion != kptfilev1.KptFileGVK().GroupVersion().String() || kf.Kind != kptfilev1.KptFileKind {
		t.Errorf("apiVersion/kind %s/%s", kf.APIVersion, kf.Kind)
	}
	if kf.Pipeline == nil || len(kf.Pipeline.Mutators)+len(kf.Pipeline.Validators) == 0 {
		t.Fatal("no pipeline functions")
	}
	// kpt's own validation (image or exec, image names, configPath syntax,
	// config files that are KRM) over a copy of the package: kpt's path type
	// is internal, so the package sits at the constant root "/".
	if err := kf.Validate(packageInMemory(t, dir), "/"); err != nil {
		t.Errorf("kpt's Kptfile validation: %v", err)
	}
	underExamples := filepath.Base(filepath.Dir(dir)) == "examples"
	var configPaths []string
	for _, f := range append(append([]kptfilev1.Function{}, kf.Pipeline.Mutators...), kf.Pipeline.Validators...) {
		if underExamples && f.Exec == "" {
			t.Errorf("%s: an example package runs the built binary (exec), not an image", f.Name)
		}
		if !underExamples && f.Image == "" {
			t.Errorf("%s: a pipeline runs the released image", f.Name)
		}
		if f.ConfigPath == "" {
			t.Errorf("%s: configPath is required here", f.Name)
			continue
		}
		configPaths = append(configPaths, f.ConfigPath)
		checkFunctionConfig(t, dir, f)
	}
	kustomization := struct {
		Transformers []string `json:"transformers"`
	}{}
	readYAMLFile(t, filepath.Join(dir, "kustomization.yaml"), &kustomization)
	if !slices.Equal(kustomization.Transformers, configPaths) {
		t.Errorf("kustomization.yaml transformers %q, the Kptfile runs %q: both forms must run the same functions in the same order", kustomization.Transformers, configPaths)
	}
	if _, err := os.Stat(filepath.Join(dir, ".expected")); err == nil {
		ignore, err := os.ReadFile(filepath.Join(dir, ".krmignore"))
		if err != nil || !slices.Contains(strings.Fields(string(ignore)), ".expected") {
			t.Errorf(".krmignore must list .expected, or kpt reads the expected output as package resources")
		}
	}
}

// checkFunctionConfig: the config file is local-config, and the binary its
// exec annotation names (for kustomize, relative to the kustomization) is the
// function's binary in bin/: the Kptfile's exec path, or the binary of the
// function the image is built from.
func checkFunctionConfig(t *testing.T, dir string, f kptfilev1.Function) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, f.ConfigPath))
	if err != nil {
		t.Errorf("%s: %v", f.Name, err)
		return
	}
	if !bytes.Contains(raw, []byte("config.kubernetes.io/local-config: \"true\"")) {
		t.Errorf("%s: %s is not marked local-config, so kpt would also treat it as a resource", f.Name, f.ConfigPath)
	}
	var cfg struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("%s: %v", f.ConfigPath, err)
	}
	var spec struct {
		Exec struct {
			Path string `json:"path"`
		} `json:"exec"`
	}
	if err := yaml.Unmarshal([]byte(cfg.Metadata.Annotations["config.kubernetes.io/function"]), &spec); err != nil || spec.Exec.Path == "" {
		t.Errorf("%s: no exec path in its config.kubernetes.io/function annotation (%v)", f.ConfigPath, err)
		return
	}
	name := f.Exec
	if f.Image != "" {
		repo, _, _ := strings.Cut(f.Image, ":")
		name = "../../bin/" + repo[strings.LastIndex(repo, "/")+1:]
	}
	if spec.Exec.Path != name {
		t.Errorf("%s: kustomize runs %s, kpt runs %s", f.ConfigPath, spec.Exec.Path, name)
	}
	bin := filepath.Join(dir, filepath.FromSlash(spec.Exec.Path))
	fn := filepath.Base(bin)
	if filepath.Dir(bin) != filepath.Join(root, "bin") {
		t.Errorf("%s: exec path %s is not bin/%s of the repository", f.ConfigPath, spec.Exec.Path, fn)
	}
	if _, err := os.Stat(filepath.Join(root, "functions", fn)); err != nil {
		t.Errorf("%s: %s is not a function of functions/", f.ConfigPath, fn)
	}
}

// packageInMemory copies the package's files to the root of an in-memory
// file system.
func packageInMemory(t *testing.T, dir string) filesys.FileSystem {
	t.Helper()
	fsys := filesys.MakeFsInMemory()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := fsys.WriteFile("/"+e.Name(), b); err != nil {
			t.Fatal(err)
		}
	}
	return fsys
}

func readYAMLFile(t *testing.T, file string, into any) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, into); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}
