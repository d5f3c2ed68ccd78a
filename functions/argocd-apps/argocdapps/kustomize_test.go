package argocdapps_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"sigs.k8s.io/yaml"
)

// The documented kustomize flow: one `kustomize build` per emit mode, each
// writing one stream. With the real kustomize (bin/kustomize, `make tools`)
// over the default-kubeflow fixture, each mode gives exactly its objects.
func TestKustomizeEmitModes(t *testing.T) {
	root := repoRoot(t)
	kustomize := filepath.Join(root, "bin", "kustomize")
	if _, err := os.Stat(kustomize); err != nil {
		t.Skip("bin/kustomize not found (make tools): skipping the kustomize test")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "argocd-apps")
	build := exec.Command("go", "build", "-o", bin, "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The rendered platform, as a base every build reads.
	base := filepath.Join(dir, "base")
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatal(err)
	}
	inputs, _ := filepath.Glob(filepath.Join("testdata", "default-kubeflow", "[a-z]*.yaml"))
	baseKustomization := "resources:\n"
	for _, f := range inputs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(base, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
		baseKustomization += "- " + filepath.Base(f) + "\n"
	}
	if err := os.WriteFile(filepath.Join(base, "kustomization.yaml"), []byte(baseKustomization), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		"group:infrastructure": {
			"Namespace istio-system", "ValidatingWebhookConfiguration istio-validator-istio-system",
			"ValidatingWebhookConfiguration validation.webhook.serving.knative.dev",
			"ValidatingWebhookConfiguration config.webhook.serving.knative.dev",
			"Gateway kubeflow/kubeflow-gateway", "Gateway kubeflow-system/kubeflow-gateway",
		},
		"applications": {
			"Application argocd/kubeflow-crds", "Application argocd/kubeflow-cert-manager", "Application argocd/kubeflow-infrastructure",
			"Application argocd/kubeflow-kubeflow", "Application argocd/kubeflow-profiles",
		},
		"bootstrap": {"Application argocd/kubeflow", "ConfigMap argocd/argocd-cm"},
	}
	for mode, want := range cases {
		t.Run(strings.ReplaceAll(mode, ":", "-"), func(t *testing.T) {
			caseDir := filepath.Join(dir, strings.ReplaceAll(mode, ":", "-"))
			if err := os.MkdirAll(caseDir, 0o755); err != nil {
				t.Fatal(err)
			}
			kustomization := "resources:\n- ../base\ntransformers:\n- argocd-apps.yaml\n"
			fnConfig := fmt.Sprintf(`apiVersion: fn.kfgitops.dev/v1alpha1
kind: ArgoCDApps
metadata:
  name: argocd-apps
  annotations:
    config.kubernetes.io/local-config: "true"
    config.kubernetes.io/function: |
      exec:
        path: %s
emit: %s
`, bin, mode)
			for name, content := range map[string]string{"kustomization.yaml": kustomization, "argocd-apps.yaml": fnConfig} {
				if err := os.WriteFile(filepath.Join(caseDir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(kustomize, "build", "--enable-alpha-plugins", "--enable-exec", caseDir)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("kustomize build: %v\n%s", err, stderr.String())
			}
			got := streamIDs(t, stdout.Bytes())
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("emit %s gave\n  %s\nwant\n  %s", mode, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// streamIDs lists "Kind namespace/name" of every document of a stream.
func streamIDs(t *testing.T, stream []byte) []string {
	t.Helper()
	var ids []string
	for _, doc := range bytes.Split(stream, []byte("\n---\n")) {
		var o struct {
			Kind     string
			Metadata struct{ Name, Namespace string }
		}
		if err := yaml.Unmarshal(doc, &o); err != nil {
			t.Fatal(err)
		}
		if o.Kind == "" {
			continue
		}
		id := o.Kind + " " + o.Metadata.Name
		if o.Metadata.Namespace != "" {
			id = o.Kind + " " + o.Metadata.Namespace + "/" + o.Metadata.Name
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := corpus.RepoRoot()
	if err != nil {
		t.Skip(err)
	}
	return root
}
