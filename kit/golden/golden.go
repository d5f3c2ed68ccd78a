// Package golden runs table-driven golden tests of a function over
// testdata/<case>/ directories:
//
//   - every *.yaml file whose name does not start with "_" holds input items
//     (one or more documents), read in file-name order;
//   - _fnconfig.yaml is the functionConfig (optional);
//   - _expected.yaml is the whole expected output ResourceList, results
//     included;
//   - _stderr.txt is what the function prints on stderr (its warnings,
//     errors and summary line).
//
// Every case also asserts the exit code (1 exactly when an error result is
// expected), that stderr names every error, and that the function is
// idempotent: running it again on its own output changes no item.
// UPDATE_GOLDEN=1 go test ./... rewrites the expected files.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// Run runs every case under dir. Directories whose name starts with "_"
// hold fixtures of other tests and are not cases.
func Run(t *testing.T, dir string, f kit.Function) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "_") {
			continue
		}
		if !e.IsDir() {
			t.Errorf("%s: only case directories belong in %s", e.Name(), dir)
			continue
		}
		caseDir := filepath.Join(dir, e.Name())
		t.Run(e.Name(), func(t *testing.T) { runCase(t, caseDir, f) })
	}
}

// InputFiles are the case's input files: its *.yaml files whose name does
// not start with "_", in file-name order.
func InputFiles(caseDir string) []string {
	files, _ := filepath.Glob(filepath.Join(caseDir, "*.yaml"))
	sort.Strings(files)
	inputs := files[:0]
	for _, f := range files {
		if !strings.HasPrefix(filepath.Base(f), "_") {
			inputs = append(inputs, f)
		}
	}
	return inputs
}

// YAMLStream writes docs as one YAML stream, each document after "---\n"
// (sigs.k8s.io/yaml: through JSON, keys sorted), to compare objects with a
// reviewed file (ExpectFile) or with each other.
func YAMLStream[T any](t testing.TB, docs ...T) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, d := range docs {
		y, err := yaml.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.Bytes()
}

// Input builds the case's input ResourceList.
func Input(t *testing.T, caseDir string) []byte {
	t.Helper()
	var stream bytes.Buffer
	for _, f := range InputFiles(caseDir) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		stream.WriteString("\n---\n")
		stream.Write(b)
	}
	in := corpus.Wrap(stream.Bytes())
	if cfg, err := os.ReadFile(filepath.Join(caseDir, "_fnconfig.yaml")); err == nil {
		in = corpus.WithFunctionConfig(in, string(cfg))
	}
	return in
}

func runCase(t *testing.T, caseDir string, f kit.Function) {
	in := Input(t, caseDir)
	out, stderr, code := krmio.Process(f, in)
	ExpectFile(t, filepath.Join(caseDir, "_expected.yaml"), out)
	ExpectFile(t, filepath.Join(caseDir, "_stderr.txt"), []byte(stderr))
	rl, err := fn.ParseResourceList(out)
	if err != nil {
		t.Fatalf("output is not a ResourceList: %v\nstderr: %s", err, stderr)
	}
	wantCode := 0
	for _, r := range rl.Results {
		if r.Severity == fn.Error {
			wantCode = 1
			if !strings.Contains(stderr, r.Message) {
				t.Errorf("error result %q is not on stderr:\n%s", r.Message, stderr)
			}
		}
	}
	if code != wantCode {
		t.Errorf("exit code %d, want %d (stderr: %s)", code, wantCode, stderr)
	}
	if wantCode == 0 {
		AssertIdempotent(t, f, out)
	}
}

// ExpectFile compares got with the reviewed file at path (UPDATE_GOLDEN=1
// writes it, and its directory, first).
func ExpectFile(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (UPDATE_GOLDEN=1 rewrites it):\n%s", path, Diff(string(want), string(got)))
	}
}

// AssertIdempotent runs f over its own output and checks no item changes.
func AssertIdempotent(t *testing.T, f kit.Function, out []byte) {
	t.Helper()
	first := ItemsOnly(t, out)
	again, stderr, code := krmio.Process(f, first)
	if code != 0 {
		t.Fatalf("second run failed (exit %d): %s", code, stderr)
	}
	if second := ItemsOnly(t, again); !bytes.Equal(first, second) {
		t.Errorf("not idempotent: f(f(x)) != f(x):\n%s", Diff(string(first), string(second)))
	}
}

// ItemsOnly re-emits a ResourceList without its results.
func ItemsOnly(t testing.TB, out []byte) []byte {
	t.Helper()
	rl, err := krmio.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	rl.Results = nil
	var b bytes.Buffer
	if err := krmio.Write(&b, rl); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Diff is a small line diff for test failures: the first differing lines
// with a little context.
func Diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	from := max(i-3, 0)
	for j := from; j < i; j++ {
		b.WriteString("  " + w[j] + "\n")
	}
	for j := i; j < min(i+8, len(w)); j++ {
		b.WriteString("- " + w[j] + "\n")
	}
	for j := i; j < min(i+8, len(g)); j++ {
		b.WriteString("+ " + g[j] + "\n")
	}
	return b.String()
}
