package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	kptfilev1 "github.com/kptdev/kpt/pkg/api/kptfile/v1"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// kpt cannot be installed here, so the Kptfile is held to kpt v1's own types
// and validation: strict decoding (no unknown fields) and every function's
// configPath present next to it.
func TestKptfileIsValidKptV1(t *testing.T) {
	dir := filepath.Join(root, "pipelines", "kubeflow")
	b, err := os.ReadFile(filepath.Join(dir, "Kptfile"))
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
	if kf.Pipeline == nil || len(kf.Pipeline.Mutators) == 0 {
		t.Fatal("no pipeline mutators")
	}
	// kpt's own validation (image names, configPath syntax, config files that
	// are KRM); the path is a constant because kpt's path type is internal.
	if err := kf.Validate(filesys.MakeFsOnDisk(), "../pipelines/kubeflow"); err != nil {
		t.Errorf("kpt's Kptfile validation: %v", err)
	}
	for _, f := range append(append([]kptfilev1.Function{}, kf.Pipeline.Mutators...), kf.Pipeline.Validators...) {
		if f.Image == "" || f.ConfigPath == "" {
			t.Errorf("%s: image and configPath are required here", f.Name)
			continue
		}
		cfg, err := os.ReadFile(filepath.Join(dir, f.ConfigPath))
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		if !bytes.Contains(cfg, []byte("config.kubernetes.io/local-config: \"true\"")) {
			t.Errorf("%s: %s is not marked local-config, so kpt would also treat it as a resource", f.Name, f.ConfigPath)
		}
	}
}
