package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/tests/harness"
	"sigs.k8s.io/yaml"
)

// kustomizeForms are the rows of BenchmarkKustomize: the same corpus render
// built by kustomize as is, and through each form of the pipeline.
var kustomizeForms = []struct {
	name string
	dir  func(b *testing.B, corpusFile string) string
}{
	{"plain-build", func(b *testing.B, src string) string { return plainDir(b, src) }},
	{"one-step", func(b *testing.B, src string) string { return oneStepDir(b, src, false) }},
	{"one-step+verify", func(b *testing.B, src string) string { return oneStepDir(b, src, true) }},
	{"pipeline", func(b *testing.B, src string) string {
		dir := b.TempDir()
		if err := harness.PipelineCopy(root(b), dir, src); err != nil {
			b.Fatal(err)
		}
		return dir
	}},
}

// BenchmarkKustomize is `kustomize build` of the master corpus as users run
// it, one whole process tree per run: the render alone (plain-build), the
// chain binary as the only exec transformer (one-step), the chain and verify
// (one-step+verify), and pipelines/kubeflow (six mutators and verify, seven
// exec functions). one-step+verify gets the pipeline's own step configs, so
// its output must equal the pipeline's: that is checked.
func BenchmarkKustomize(b *testing.B) {
	k := binary(b, "kustomize")
	src := filepath.Join(corpus.Require(b), corpus.Master)
	outputs := map[string][]byte{}
	for _, form := range kustomizeForms {
		b.Run(form.name, func(b *testing.B) {
			dir := form.dir(b, src)
			args := append(append([]string{"build"}, harness.ExecFlags...), dir)
			var worst measurement
			for range b.N {
				out, m := run(b, processRun{bin: k, args: args, tree: true})
				worst.rss, worst.tree = max(worst.rss, m.rss), max(worst.tree, m.tree)
				outputs[form.name] = out
			}
			b.ReportMetric(float64(worst.rss)/1024, "peak-RSS-MiB")
			b.ReportMetric(float64(worst.tree)/1024, "tree-RSS-MiB")
			b.ReportMetric(float64(len(outputs[form.name]))/(1<<20), "output-MiB")
		})
	}
	one, pipeline := outputs["one-step+verify"], outputs["pipeline"]
	if one != nil && pipeline != nil && !bytes.Equal(one, pipeline) {
		b.Errorf("kustomize output of one-step+verify (%d bytes) differs from pipelines/kubeflow's (%d bytes)", len(one), len(pipeline))
	}
}

// plainDir is a kustomization of the corpus file alone.
func plainDir(b *testing.B, src string) string {
	dir := b.TempDir()
	copyInto(b, dir, src)
	writeFile(b, dir, "kustomization.yaml", []byte("resources:\n- "+filepath.Base(src)+"\n"))
	return dir
}

// oneStepDir is a kustomization of the corpus file whose one exec
// transformer is the chain binary, configured with pipelines/kubeflow's step
// configs (each nested under its step's key, as the chain's config has them),
// and, with verify, pipelines/kubeflow's verify after it.
func oneStepDir(b *testing.B, src string, verify bool) string {
	r := root(b)
	pipeline := filepath.Join(r, "pipelines", "kubeflow")
	dir := b.TempDir()
	copyInto(b, dir, src)
	cfg := map[string]any{
		"apiVersion": "fn.kfgitops.dev/v1alpha1",
		"kind":       chain.Kind,
		"metadata": map[string]any{
			"name": "kubeflow-gitops",
			"annotations": map[string]any{
				"config.kubernetes.io/local-config": "true",
				"config.kubernetes.io/function":     "exec:\n  path: " + filepath.Join(r, "bin", "kubeflow-gitops") + "\n",
			},
		},
	}
	for _, s := range chain.Steps {
		var step map[string]any
		readYAML(b, filepath.Join(pipeline, s.Name()+".yaml"), &step)
		delete(step, "apiVersion")
		delete(step, "kind")
		delete(step, "metadata")
		cfg[chain.ConfigKey(s)] = step
	}
	raw, err := yaml.Marshal(cfg)
	if err != nil {
		b.Fatal(err)
	}
	writeFile(b, dir, "kubeflow-gitops.yaml", raw)
	kustomization := "resources:\n- " + filepath.Base(src) + "\ntransformers:\n- kubeflow-gitops.yaml\n"
	if verify {
		raw, err := os.ReadFile(filepath.Join(pipeline, "verify.yaml"))
		if err != nil {
			b.Fatal(err)
		}
		writeFile(b, dir, "verify.yaml", bytes.ReplaceAll(raw, []byte("../../bin/"), []byte(filepath.Join(r, "bin")+"/")))
		kustomization += "- verify.yaml\n"
	}
	writeFile(b, dir, "kustomization.yaml", []byte(kustomization))
	return dir
}

func readYAML(b *testing.B, file string, into any) {
	raw, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, into); err != nil {
		b.Fatalf("%s: %v", file, err)
	}
}

func copyInto(b *testing.B, dir, src string) {
	raw, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	writeFile(b, dir, filepath.Base(src), raw)
}

func writeFile(b *testing.B, dir, name string, data []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		b.Fatal(err)
	}
}
