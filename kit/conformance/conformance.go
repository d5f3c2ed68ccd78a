// Package conformance is the KRM-functions-specification suite every
// kfgitops function runs: the spec's I/O rules, pass-through of what a
// function must not touch, results shape, bad input, and behaviour on the
// real corpus. Checks return failures instead of failing a test directly, so
// the suite itself can be tested against deliberately broken functions.
package conformance

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Check is one named conformance check.
type Check struct {
	Name string
	Run  func(f kit.Function) error
}

// Run runs every spec and bad-input check on f as subtests.
func Run(t *testing.T, f kit.Function) {
	for _, c := range append(SpecChecks(), BadInputChecks()...) {
		t.Run(c.Name, func(t *testing.T) {
			if err := c.Run(f); err != nil {
				t.Error(err)
			}
		})
	}
}

// SpecChecks are the I/O rules of the KRM functions specification.
func SpecChecks() []Check {
	return []Check{
		{"v1 input", func(f kit.Function) error {
			return succeeds(f, resourceList("config.kubernetes.io/v1", sampleItems, ""))
		}},
		{"v1beta1 input", func(f kit.Function) error {
			return succeeds(f, resourceList("config.kubernetes.io/v1beta1", sampleItems, ""))
		}},
		{"JSON input", checkJSONInput},
		{"empty items", func(f kit.Function) error { return emptyItems(f, "items: []\n") }},
		{"no items field", func(f kit.Function) error { return emptyItems(f, "") }},
		{"no functionConfig", func(f kit.Function) error { return succeeds(f, resourceList("", sampleItems, "")) }},
		{"kpt placeholder functionConfig", func(f kit.Function) error {
			return succeeds(f, resourceList("", sampleItems, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\n"))
		}},
		{"empty functionConfig", func(f kit.Function) error { return succeeds(f, resourceList("", sampleItems, "{}\n")) }},
		{"failOn: error accepted", func(f kit.Function) error {
			return succeeds(f, resourceList("", sampleItems, typedConfig(f, "failOn: error\n")))
		}},
		{"local-config items and Kptfile pass through", checkPassThrough},
		{"orchestrator annotations preserved", checkAnnotations},
		{"comments and field order preserved", checkCommentsAndOrder},
		{"results are well-formed", checkResultsShape},
		{"idempotent and deterministic", checkIdempotent},
		{"List objects and merge keys expanded", checkExpanded},
	}
}

// checkExpanded: a function sees (and writes) the objects of a List and the
// keys a merge key merges, as kubectl and the API server read them.
func checkExpanded(f kit.Function) error {
	in := resourceList("", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n"+
		"    name: in-a-list\n    namespace: default\n    labels:\n      <<: {merged: \"yes\"}\n", "")
	_, rl, _, err := run(f, in)
	if err != nil {
		return err
	}
	found := false
	for _, o := range rl.Items {
		if o.GetKind() == "List" {
			return fmt.Errorf("the List is still in the output")
		}
		if o.GetName() == "in-a-list" {
			found = true
			if o.GetLabel("merged") != "yes" {
				return fmt.Errorf("%s: the merged label is missing: %s", id(o), o.String())
			}
		}
	}
	if !found {
		return fmt.Errorf("the ConfigMap of the List is missing from the output")
	}
	return nil
}

// summary is krmio's summary line of a function.
var summary = regexp.MustCompile(`^[a-z][a-z0-9-]*: (ok|failed), [0-9]+ errors?, [0-9]+ warnings?(: |$)`)

// run processes in and parses the output.
func run(f kit.Function, in []byte) (out []byte, rl *fn.ResourceList, stderr string, err error) {
	out, stderr, code := krmio.Process(f, in)
	if code != 0 {
		return out, nil, stderr, fmt.Errorf("exit %d, stderr: %s", code, stderr)
	}
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		if m := summary.FindStringSubmatch(line); !strings.HasPrefix(line, "[warning]") && (m == nil || m[1] != "ok") {
			return out, nil, stderr, fmt.Errorf("exit 0 but stderr has a line that is neither a warning nor a summary: %q", line)
		}
	}
	rl, err = fn.ParseResourceList(out)
	if err != nil {
		return out, nil, stderr, fmt.Errorf("stdout is not one ResourceList: %v", err)
	}
	if !bytes.HasPrefix(out, []byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n")) {
		return out, nil, stderr, fmt.Errorf("output does not start with a config.kubernetes.io/v1 ResourceList header")
	}
	return out, rl, stderr, nil
}

func succeeds(f kit.Function, in []byte) error {
	_, _, _, err := run(f, in)
	return err
}

func checkJSONInput(f kit.Function) error {
	in := `{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [` +
		`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "json", "namespace": "default"}, "data": {"k": "v"}}]}`
	_, rl, _, err := run(f, []byte(in))
	if err != nil {
		return err
	}
	for _, o := range rl.Items {
		if o.GetName() == "json" && o.GetKind() == "ConfigMap" {
			return nil
		}
	}
	return fmt.Errorf("the ConfigMap given as JSON is missing from the output")
}

func emptyItems(f kit.Function, items string) error {
	out, _, _, err := run(f, []byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"+items))
	if err != nil {
		return err
	}
	if !bytes.Contains(out, []byte("\nitems: []\n")) {
		return fmt.Errorf("output lacks `items: []` (the spec requires the field):\n%s", out)
	}
	return nil
}

// checkPassThrough feeds objects every function would otherwise edit, marked
// local-config, plus a Kptfile: they must come out byte for byte.
func checkPassThrough(f kit.Function) error {
	local := withAnnotation(sampleItems, "config.kubernetes.io/local-config", "true")
	in := resourceList("", local+kptfile, "")
	_, rl, _, err := run(f, in)
	if err != nil {
		return err
	}
	want := itemTexts(mustParse(in).Items)
	got := itemTexts(rl.Items)
	for id, text := range want {
		if got[id] != text {
			return fmt.Errorf("%s was changed or removed although it is local-config or the Kptfile:\nwant:\n%s\ngot:\n%s", id, text, got[id])
		}
	}
	return nil
}

var orchestratorAnnotations = map[string]string{
	"config.kubernetes.io/path":                                       "pkg/file.yaml",
	"config.kubernetes.io/index":                                      "3",
	"internal.config.kubernetes.io/path":                              "pkg/file.yaml",
	"internal.config.kubernetes.io/index":                             "3",
	"internal.config.kubernetes.io/id":                                "17",
	"internal.config.kubernetes.io/annotations-migration-resource-id": "17",
	"internal.config.kubernetes.io/seqindent":                         "compact",
	"internal.config.kubernetes.io/package-path":                      "pkg",
}

// pathAnnotations are the ones a function may rewrite when it documents
// laying out the package (Function.SetsPathAnnotations).
var pathAnnotations = map[string]bool{
	"config.kubernetes.io/path": true, "config.kubernetes.io/index": true,
	"internal.config.kubernetes.io/path": true, "internal.config.kubernetes.io/index": true,
}

// checkAnnotations gives every object the annotations kpt and kustomize set;
// every object that survives must keep them byte for byte.
func checkAnnotations(f kit.Function) error {
	items := sampleItems
	for k, v := range orchestratorAnnotations {
		items = withAnnotation(items, k, v)
	}
	_, rl, _, err := run(f, resourceList("", items, ""))
	if err != nil {
		return err
	}
	inputIDs := ids(mustParse(resourceList("", items, "")).Items)
	for _, o := range rl.Items {
		if !inputIDs[id(o)] {
			continue // created by the function
		}
		for k, v := range orchestratorAnnotations {
			if f.SetsPathAnnotations() && pathAnnotations[k] {
				continue
			}
			if got := o.GetAnnotation(k); got != v {
				return fmt.Errorf("%s: annotation %s is %q, want %q", id(o), k, got, v)
			}
		}
	}
	return nil
}

// checkCommentsAndOrder: every comment of a surviving object is still there,
// and keys present before and after keep their relative order.
func checkCommentsAndOrder(f kit.Function) error {
	_, rl, _, err := run(f, sampleList)
	if err != nil {
		return err
	}
	before := map[string]*fn.KubeObject{}
	for _, o := range mustParse(sampleList).Items {
		before[id(o)] = o
	}
	for _, o := range rl.Items {
		b, ok := before[id(o)]
		if !ok {
			continue
		}
		bText, oText := b.String(), o.String()
		for _, line := range strings.Split(bText, "\n") {
			if i := strings.Index(line, "# "); i >= 0 && !strings.Contains(oText, strings.TrimSpace(line[i:])) {
				return fmt.Errorf("%s: comment %q was lost", id(o), strings.TrimSpace(line[i:]))
			}
		}
		if path, ok := orderKept(mustNode(bText), mustNode(oText), ""); !ok {
			return fmt.Errorf("%s: keys under %q were reordered", id(o), path)
		}
	}
	return nil
}

func checkResultsShape(f kit.Function) error {
	_, rl, _, err := run(f, sampleList)
	if err != nil {
		return err
	}
	for i, r := range rl.Results {
		switch {
		case r.Message == "":
			return fmt.Errorf("results[%d] has no message", i)
		case r.Severity != fn.Error && r.Severity != fn.Warning && r.Severity != fn.Info:
			return fmt.Errorf("results[%d] has severity %q", i, r.Severity)
		case r.ResourceRef != nil && (r.ResourceRef.APIVersion == "" || r.ResourceRef.Kind == "" || r.ResourceRef.Name == ""):
			return fmt.Errorf("results[%d] resourceRef lacks apiVersion, kind or name: %+v", i, *r.ResourceRef)
		case r.Field != nil && (r.Field.Path == "" || r.ResourceRef == nil):
			return fmt.Errorf("results[%d] has a field without a path or without a resourceRef", i)
		}
	}
	return nil
}

func checkIdempotent(f kit.Function) error {
	first, _, _, err := run(f, sampleList)
	if err != nil {
		return err
	}
	again, _, _, _ := run(f, sampleList)
	if !bytes.Equal(first, again) {
		return fmt.Errorf("the same input gave different outputs")
	}
	return idempotent(f, first)
}

// idempotent checks f(f(x)) == f(x), results aside.
func idempotent(f kit.Function, out []byte) error {
	once := itemsOnly(out)
	twice, _, _, err := run(f, once)
	if err != nil {
		return fmt.Errorf("second run: %v", err)
	}
	if !bytes.Equal(itemsOnly(twice), once) {
		return fmt.Errorf("not idempotent: f(f(x)) != f(x)")
	}
	return nil
}

func itemsOnly(out []byte) []byte {
	rl, err := krmio.Read(out)
	if err != nil {
		return nil
	}
	rl.Results = nil
	var b bytes.Buffer
	_ = krmio.Write(&b, rl)
	return b.Bytes()
}

func mustParse(in []byte) *fn.ResourceList {
	rl, err := fn.ParseResourceList(in)
	if err != nil {
		panic(err)
	}
	return rl
}

func mustNode(text string) *yaml.Node {
	rn, err := yaml.Parse(text)
	if err != nil {
		panic(err)
	}
	return rn.YNode()
}

// orderKept reports whether keys common to two mappings appear in the same
// relative order, recursively; it returns the first path where they do not.
func orderKept(a, b *yaml.Node, path string) (string, bool) {
	if a.Kind != yaml.MappingNode || b.Kind != yaml.MappingNode {
		if a.Kind == yaml.SequenceNode && b.Kind == yaml.SequenceNode && len(a.Content) == len(b.Content) {
			for i := range a.Content {
				if p, ok := orderKept(a.Content[i], b.Content[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
					return p, false
				}
			}
		}
		return "", true
	}
	pos := map[string]int{}
	for i := 0; i+1 < len(b.Content); i += 2 {
		pos[b.Content[i].Value] = i
	}
	last := -1
	for i := 0; i+1 < len(a.Content); i += 2 {
		k := a.Content[i].Value
		j, ok := pos[k]
		if !ok {
			continue
		}
		if j < last {
			return path, false
		}
		last = j
		if p, ok := orderKept(a.Content[i+1], b.Content[j+1], path+"."+k); !ok {
			return p, false
		}
	}
	return "", true
}

func id(o *fn.KubeObject) string {
	return fmt.Sprintf("%s %s/%s", kit.GroupKindOf(o), o.GetNamespace(), o.GetName())
}

func ids(items fn.KubeObjects) map[string]bool {
	m := map[string]bool{}
	for _, o := range items {
		m[id(o)] = true
	}
	return m
}

func itemTexts(items fn.KubeObjects) map[string]string {
	m := map[string]string{}
	for _, o := range items {
		m[id(o)] = o.String()
	}
	return m
}
