package golden

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A case's inputs are its *.yaml files but the _-prefixed ones (config,
// expected output), in name order.
func TestInputFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.yaml", "a.yaml", "_fnconfig.yaml", "_expected.yaml", "_stderr.txt", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")}
	if got := InputFiles(dir); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := InputFiles(filepath.Join(dir, "missing")); len(got) != 0 {
		t.Errorf("a missing case: got %v, want none", got)
	}
}

func TestYAMLStream(t *testing.T) {
	for _, c := range []struct {
		name string
		docs []map[string]any
		want string
	}{
		{"none", nil, ""},
		{"one", []map[string]any{{"kind": "A"}}, "---\nkind: A\n"},
		{"keys sorted, in order", []map[string]any{{"b": 1, "a": 2}, {"kind": "B"}}, "---\na: 2\nb: 1\n---\nkind: B\n"},
	} {
		if got := string(YAMLStream(t, c.docs...)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
