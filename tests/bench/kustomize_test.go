package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/tests/harness"
)

// kustomizeForms are the rows of BenchmarkKustomize: the same corpus render
// built by kustomize as is, and through each form of the pipeline.
var kustomizeForms = []struct {
	name string
	dir  func(b *testing.B, corpusFile string) string
}{
	{"plain-build", plainDir},
	{"one-step", func(b *testing.B, src string) string {
		dir := packageDir(b, "kubeflow-one-step", src)
		withoutVerify(b, dir)
		return dir
	}},
	{"one-step+verify", func(b *testing.B, src string) string { return packageDir(b, "kubeflow-one-step", src) }},
	{"pipeline", func(b *testing.B, src string) string { return packageDir(b, "kubeflow", src) }},
}

// BenchmarkKustomize is `kustomize build` of the master corpus as users run
// it, one whole process tree per run: the render alone (plain-build), the
// chain binary as the only exec transformer (one-step: pipelines/kubeflow-
// one-step without verify), pipelines/kubeflow-one-step (one-step+verify),
// and pipelines/kubeflow (six mutators and verify, seven exec functions).
// The two pipelines' outputs must be equal: that is checked.
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
		b.Errorf("kustomize output of pipelines/kubeflow-one-step (%d bytes) differs from pipelines/kubeflow's (%d bytes)", len(one), len(pipeline))
	}
}

// plainDir is a kustomization of the corpus file alone.
func plainDir(b *testing.B, src string) string {
	dir := b.TempDir()
	copyInto(b, dir, src)
	writeFile(b, dir, "kustomization.yaml", []byte("resources:\n- "+filepath.Base(src)+"\n"))
	return dir
}

// packageDir is a copy of pipelines/<name> over the corpus file.
func packageDir(b *testing.B, name, src string) string {
	dir := b.TempDir()
	if err := harness.PackageCopy(root(b), filepath.Join("pipelines", name), dir, src); err != nil {
		b.Fatal(err)
	}
	return dir
}

// withoutVerify drops verify from a package's transformers.
func withoutVerify(b *testing.B, dir string) {
	file := filepath.Join(dir, "kustomization.yaml")
	raw, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "- verify.yaml") {
			kept = append(kept, line)
		}
	}
	if len(kept) == strings.Count(string(raw), "\n")+1 {
		b.Fatalf("%s lists no verify.yaml", file)
	}
	writeFile(b, dir, "kustomization.yaml", []byte(strings.Join(kept, "\n")))
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
