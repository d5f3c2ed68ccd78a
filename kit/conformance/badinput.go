package conformance

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

// BadInputChecks: each input must give a non-zero exit, exactly one line on
// stderr naming the problem, no panic and bounded memory.
func BadInputChecks() []Check {
	cases := []struct{ name, in, want string }{
		{"malformed YAML", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {unclosed: [\n", "not a ResourceList"},
		{"not a ResourceList", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", "not a ResourceList"},
		{"empty input", "", "empty input"},
		{"item without apiVersion", string(resourceList("", "kind: ConfigMap\nmetadata:\n  name: x\n", "")), "apiVersion is missing"},
		{"item without kind", string(resourceList("", "apiVersion: v1\nmetadata:\n  name: x\n", "")), "kind is missing"},
		{"item without metadata.name", string(resourceList("", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "")), "metadata.name is missing"},
		{"duplicate objects", string(resourceList("", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", "")), "duplicate"},
		{"5 MB object", string(resourceList("", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: "+strings.Repeat("x", 5<<20)+"\n", "")), "MiB"},
		{"deeply nested YAML", string(resourceList("", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: "+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+"\n", "")), "deeper than"},
		{"YAML alias bomb", aliasBomb(), "alias"},
		{"unknown functionConfig field", "", "unknown field"},
		{"wrong value type in functionConfig", string(resourceList("", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  nested:\n    not: a string\n")), "data"},
		{"functionConfig of a foreign kind", string(resourceList("", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", "apiVersion: example.com/v1\nkind: Other\nmetadata:\n  name: cfg\n")), "not supported"},
	}
	var checks []Check
	for _, c := range cases {
		checks = append(checks, Check{Name: "bad input: " + c.name, Run: func(f kit.Function) error {
			in := c.in
			if c.name == "unknown functionConfig field" {
				in = string(resourceList("", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
					"apiVersion: "+kit.ConfigAPIVersion+"\nkind: "+f.ConfigKind()+"\nmetadata:\n  name: cfg\nnoSuchFieldAnywhere: 1\n"))
			}
			return failsCleanly(f, []byte(in), c.want)
		}})
	}
	return checks
}

// failsCleanly runs f on bad input and checks the failure's shape. Memory is
// bounded by allocation: a function that handles a bad input by blowing up
// (expanding aliases, recursing without end) allocates far beyond the input.
func failsCleanly(f kit.Function, in []byte, want string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, stderr, code := krmio.Process(f, in)
	runtime.ReadMemStats(&after)
	if code == 0 {
		return fmt.Errorf("exit 0, want a failure")
	}
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if stderr == "" || len(lines) != 1 {
		return fmt.Errorf("want exactly one line on stderr, got %d:\n%s", len(lines), stderr)
	}
	if !strings.Contains(stderr, want) {
		return fmt.Errorf("stderr does not name the problem (%q):\n%s", want, stderr)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(64*len(in))+(256<<20) {
		return fmt.Errorf("allocated %d MiB for %d KiB of bad input", alloc>>20, len(in)>>10)
	}
	return nil
}

// aliasBomb is the billion-laughs shape: each level references the previous
// one ten times.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\nlol:\n")
	b.WriteString("  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "  l%d: &l%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	return string(resourceList("", b.String(), ""))
}
