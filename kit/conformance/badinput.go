package conformance

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

// BadInputChecks: each input must give a non-zero exit, exactly one line on
// stderr naming the problem (input the reader refuses) or exactly one error
// line naming it among the summary lines of the functions that ran, no
// panic and bounded memory.
func BadInputChecks() []Check {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
	// silent: refused by the reader, so nothing may be echoed on stdout.
	cases := []struct {
		name, in, want string
		silent         bool
	}{
		{"malformed YAML", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {unclosed: [\n", "not a ResourceList", true},
		{"not a ResourceList", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", "not a ResourceList", true},
		{"empty input", "", "empty input", true},
		{"ResourceList apiVersion v9", string(resourceList("config.kubernetes.io/v9", cm, "")), "apiVersion", true},
		{"two items fields", string(resourceList("", cm, "")) + "items: []\n", `key "items" appears more than once`, true},
		{"item without apiVersion", string(resourceList("", "kind: ConfigMap\nmetadata:\n  name: x\n", "")), "apiVersion is missing", true},
		{"item without kind", string(resourceList("", "apiVersion: v1\nmetadata:\n  name: x\n", "")), "kind is missing", true},
		{"item without metadata.name", string(resourceList("", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "")), "metadata.name is missing", true},
		{"metadata.name not a string", string(resourceList("", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 123\n", "")), "metadata.name must be a string, got integer", true},
		{"duplicate key", string(resourceList("", "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n  name: x\n", "")), `key "kind" appears more than once`, true},
		{"duplicate objects", string(resourceList("", cm+"---\n"+cm, "")), "duplicate", false},
		{"one object under two apiVersions", string(resourceList("",
			"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n  namespace: a\n---\napiVersion: apps/v1beta2\nkind: Deployment\nmetadata:\n  name: x\n  namespace: a\n", "")),
			"Deployment.apps a/x appears twice, as apps/v1 and as apps/v1beta2", false},
		{"5 MB object", string(resourceList("", cm+"data:\n  blob: "+strings.Repeat("x", 5<<20)+"\n", "")), "over the limit of 1572864 bytes", true},
		{"deeply nested YAML", string(resourceList("", cm+"data: "+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+"\n", "")), "deeper than", true},
		{"YAML alias bomb", aliasBomb(9, 10, "lol"), "alias", true},
		{"aliases past the object limit", aliasBomb(6, 6, strings.Repeat("x", 100)), "bytes with its YAML aliases expanded", true},
		{"unknown functionConfig field", "", "unknown field", false},
		{"failOn neither error nor warning", "", `failOn "sometimes"`, false},
		{"wrong value type in functionConfig", string(resourceList("", cm, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  nested:\n    not: a string\n")), "data", false},
		{"functionConfig of a foreign kind", string(resourceList("", cm, "apiVersion: example.com/v1\nkind: Other\nmetadata:\n  name: cfg\n")), "not supported", false},
		{"huge functionConfig scalar", string(resourceList("", cm, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  rules: "+strings.Repeat("x", 8<<20)+"\n")),
			"functionConfig: its keys and values hold", true},
		{"functionConfig with 100,000 entries", string(resourceList("", cm, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  rules: ["+strings.Repeat("a, ", 100000)+"a]\n")),
			"functionConfig: more than 65536 keys and values", true},
	}
	var checks []Check
	for _, c := range cases {
		checks = append(checks, Check{Name: "bad input: " + c.name, Run: func(f kit.Function) error {
			in := c.in
			switch c.name {
			case "unknown functionConfig field":
				in = string(resourceList("", cm, typedConfig(f, "noSuchFieldAnywhere: 1\n")))
			case "failOn neither error nor warning":
				in = string(resourceList("", cm, typedConfig(f, "failOn: sometimes\n")))
			}
			return failsCleanly(f, []byte(in), c.want, c.silent)
		}})
	}
	return checks
}

// failsCleanly runs f on bad input and checks the failure's shape. Memory is
// bounded by allocation: a function that handles a bad input by blowing up
// (expanding aliases, recursing without end) allocates far beyond the input.
func failsCleanly(f kit.Function, in []byte, want string, silent bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stdout, stderr, code := krmio.Process(f, in)
	runtime.ReadMemStats(&after)
	if code == 0 {
		return fmt.Errorf("exit 0, want a failure")
	}
	if silent && len(stdout) > 0 {
		return fmt.Errorf("refused input, yet %d bytes on stdout", len(stdout))
	}
	problem, err := oneProblem(stderr, silent)
	if err != nil {
		return err
	}
	if !strings.Contains(problem, want) {
		return fmt.Errorf("stderr does not name the problem (%q):\n%s", want, stderr)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(64*len(in))+(256<<20) {
		return fmt.Errorf("allocated %d MiB for %d KiB of bad input", alloc>>20, len(in)>>10)
	}
	return nil
}

// oneProblem is the one line of stderr that names the problem: its only
// line when the reader refused the input, else its only error line, the
// others being warnings and the summary lines of the functions that ran.
func oneProblem(stderr string, refused bool) (string, error) {
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if refused {
		if stderr == "" || len(lines) != 1 {
			return "", fmt.Errorf("want exactly one line on stderr, got %d:\n%s", len(lines), stderr)
		}
		return lines[0], nil
	}
	var problems []string
	for _, line := range lines {
		switch {
		case strings.HasPrefix(line, "[error]"):
			problems = append(problems, line)
		case !strings.HasPrefix(line, "[warning]") && !summary.MatchString(line):
			return "", fmt.Errorf("stderr line is neither a result nor a summary: %q", line)
		}
	}
	if len(problems) != 1 || !strings.Contains(lines[len(lines)-1], ": failed, ") {
		return "", fmt.Errorf("want one error line and the failed function's summary last on stderr:\n%s", stderr)
	}
	return problems[0], nil
}

// aliasBomb is the billion-laughs shape: each of levels references the
// previous one fanout times; level 0 is fanout copies of leaf.
func aliasBomb(levels, fanout int, leaf string) string {
	list := func(item func(j int) string) string {
		items := make([]string, fanout)
		for j := range items {
			items[j] = item(j)
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\nlol:\n")
	fmt.Fprintf(&b, "  l0: &l0 %s\n", list(func(int) string { return leaf }))
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "  l%d: &l%d %s\n", i, i, list(func(int) string { return fmt.Sprintf("*l%d", i-1) }))
	}
	return string(resourceList("", b.String(), ""))
}
