// Command demo renders examples/kubeflow-mini through pipelines/kubeflow with
// the real kustomize and prints what the pipeline changed: objects removed,
// added and edited, with the edited lines. `make demo` runs it.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kfgitops/kfgitops/tests/harness"
	"sigs.k8s.io/yaml"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := harness.RepoRoot()
	if err != nil {
		return err
	}
	example := filepath.Join(root, "examples", "kubeflow-mini")
	pipeline := filepath.Join(root, "pipelines", "kubeflow")
	before, stderr, err := harness.Build(root, example)
	if err != nil {
		return fmt.Errorf("kustomize build %s: %v\n%s", example, err, stderr)
	}
	after, stderr, err := harness.Build(root, pipeline, harness.ExecFlags...)
	if err != nil {
		return fmt.Errorf("kustomize build %s: %v\n%s", pipeline, err, stderr)
	}
	out := filepath.Join(root, "out", "demo.yaml")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, after, 0o644); err != nil {
		return err
	}
	b, a := mustObjects(before), mustObjects(after)
	fmt.Printf("kustomize build --enable-alpha-plugins --enable-exec pipelines/kubeflow\n")
	fmt.Printf("input: examples/kubeflow-mini (%d objects) -> output: out/demo.yaml (%d objects)\n\n", len(b), len(a))
	var removed, added, edited int
	for _, id := range harness.SortedIDs(b) {
		if _, ok := a[id]; !ok {
			fmt.Printf("- removed  %s\n", id)
			removed++
		}
	}
	for _, id := range harness.SortedIDs(a) {
		old, ok := b[id]
		if !ok {
			fmt.Printf("+ added    %s\n", id)
			added++
			continue
		}
		if d := lineDiff(toYAML(old), toYAML(a[id])); d != "" {
			fmt.Printf("~ changed  %s\n%s", id, d)
			edited++
		}
	}
	fmt.Printf("\n%d removed, %d added, %d changed, %d unchanged\n", removed, added, edited, len(a)-added-edited)
	return verifySummary(root, after)
}

// verifySummary runs bin/verify (with the pipeline's config) over the output
// and prints its summary and warnings: kustomize shows a function's results
// only when it fails.
func verifySummary(root string, stream []byte) error {
	config, err := os.ReadFile(filepath.Join(root, "pipelines", "kubeflow", "verify.yaml"))
	if err != nil {
		return err
	}
	in := corpus.WithFunctionConfig(corpus.Wrap(stream), string(config))
	cmd := exec.Command(filepath.Join(root, "bin", "verify"))
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	rl, rerr := krmio.Read(out)
	if rerr != nil {
		return fmt.Errorf("bin/verify: %v %v", err, rerr)
	}
	fmt.Println()
	for _, r := range rl.Results {
		if r.ResourceRef == nil || r.Severity != "info" {
			fmt.Println(r.String())
		}
	}
	return err
}

func mustObjects(stream []byte) map[string]harness.Object {
	m, err := harness.Objects(stream)
	if err != nil {
		panic(err)
	}
	return m
}

func toYAML(o harness.Object) []string {
	b, _ := yaml.Marshal(o)
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// lineDiff prints lines only in a (-) or only in b (+), by longest common
// subsequence; objects are small, so the quadratic table is fine.
func lineDiff(a, b []string) string {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&sb, "    + %s\n", b[j])
			j++
		default:
			fmt.Fprintf(&sb, "    - %s\n", a[i])
			i++
		}
	}
	return sb.String()
}
