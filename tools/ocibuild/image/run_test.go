package image_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"sigs.k8s.io/yaml"
)

// resourceList is the part of a ResourceList the run test reads.
type resourceList struct {
	APIVersion     string           `json:"apiVersion"`
	Kind           string           `json:"kind"`
	Items          []map[string]any `json:"items"`
	FunctionConfig map[string]any   `json:"functionConfig,omitempty"`
	Results        []map[string]any `json:"results,omitempty"`
}

// The binaries taken out of the images run as kpt would run the images: the
// Kptfile's steps in order over examples/kubeflow-mini, each with its
// configPath, then every function the Kptfile does not run, alone on the
// example with its defaults. Each must exit 0 and write a ResourceList.
func TestImagesRun(t *testing.T) {
	host := v1.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH}
	byRef := map[string]builtImage{}
	for _, b := range images(t) {
		byRef[b.f.Ref()] = b
	}
	example := exampleItems(t)
	items := example
	ran := map[string]bool{}
	pipeline := filepath.Join(root, "pipelines", "kubeflow")
	for _, step := range kptfileSteps(t, pipeline) {
		b, ok := byRef[step.Image]
		if !ok {
			t.Fatalf("Kptfile step %q: image %s is not built (see the catalog tests)", step.Name, step.Image)
		}
		var cfg map[string]any
		if step.ConfigPath != "" {
			cfg = readYAML(t, filepath.Join(pipeline, step.ConfigPath))
		}
		items = runImage(t, b, host, items, cfg)
		ran[b.f.Name] = true
	}
	for _, b := range images(t) {
		// A controller is not a KRM function: the API server suite runs it.
		if !ran[b.f.Name] && !b.f.IsController() {
			runImage(t, b, host, example, nil)
		}
	}
}

// runImage runs the function's binary from its image for the host platform
// and returns the output items.
func runImage(t *testing.T, b builtImage, host v1.Platform, items []map[string]any, cfg map[string]any) []map[string]any {
	t.Helper()
	bin := filepath.Join(t.TempDir(), b.f.Name)
	if err := os.WriteFile(bin, layerBinary(t, platformImage(t, readIndex(t, b), host), b.f), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(resourceList{APIVersion: "config.kubernetes.io/v1", Kind: "ResourceList", Items: items, FunctionConfig: cfg})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s (from %s) on %d items: %v\n%s", b.f.Name, b.f.Ref(), len(items), err, stderr.String())
	}
	var rl resourceList
	if err := yaml.Unmarshal(stdout.Bytes(), &rl); err != nil || rl.Kind != "ResourceList" || rl.APIVersion != "config.kubernetes.io/v1" {
		t.Fatalf("%s: output is not a config.kubernetes.io/v1 ResourceList (%v):\n%.500s", b.f.Name, err, stdout.String())
	}
	if len(rl.Items) == 0 {
		t.Fatalf("%s: no items out of %d in", b.f.Name, len(items))
	}
	t.Logf("%s: %d items in, %d out, %d results", b.f.Ref(), len(items), len(rl.Items), len(rl.Results))
	return rl.Items
}

type kptfileStep struct {
	Name       string `json:"name"`
	Image      string `json:"image"`
	ConfigPath string `json:"configPath"`
}

func kptfileSteps(t *testing.T, dir string) []kptfileStep {
	t.Helper()
	var kf struct {
		Pipeline struct {
			Mutators   []kptfileStep `json:"mutators"`
			Validators []kptfileStep `json:"validators"`
		} `json:"pipeline"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "Kptfile"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &kf); err != nil {
		t.Fatal(err)
	}
	return append(kf.Pipeline.Mutators, kf.Pipeline.Validators...)
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// exampleItems reads the objects of examples/kubeflow-mini (the files its
// kustomization.yaml lists).
func exampleItems(t *testing.T) []map[string]any {
	t.Helper()
	dir := filepath.Join(root, "examples", "kubeflow-mini")
	var k struct {
		Resources []string `json:"resources"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &k); err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	for _, r := range k.Resources {
		b, err := os.ReadFile(filepath.Join(dir, r))
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docSeparator.Split(string(b), -1) {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				t.Fatalf("%s: %v", r, err)
			}
			if obj != nil {
				items = append(items, obj)
			}
		}
	}
	if len(items) == 0 {
		t.Fatal("examples/kubeflow-mini has no objects")
	}
	return items
}
