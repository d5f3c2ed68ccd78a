package krmio

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// writeTail writes what follows the items, functionConfig and results, as
// the SDK encodes them. The SDK encodes a result through JSON, a map and a
// node tree, some 40 KiB of garbage each: at 50,000 results (argocd-apps
// reports on every object) that was 2 GiB. Results of the usual shape are
// emitted here instead, from a small node tree in the SDK's field order;
// the others go through the SDK one at a time. A sequence is laid out
// element by element, so the pieces concatenate to the SDK's encoding of
// the whole list.
func writeTail(w io.Writer, rl *fn.ResourceList) error {
	first := rl.Results[:min(len(rl.Results), 1)]
	head, err := sdkTail(&fn.ResourceList{FunctionConfig: rl.FunctionConfig, Results: first})
	if err != nil {
		return err
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	var out []byte
	for _, r := range rl.Results[len(first):] {
		out, err = appendResult(out[:0], r)
		if err != nil {
			return err
		}
		if _, err := w.Write(out); err != nil {
			return err
		}
	}
	return nil
}

// appendResult appends one element of `results:`.
func appendResult(out []byte, r *fn.Result) ([]byte, error) {
	if n := resultNode(r); n != nil {
		return emitItem(out, n)
	}
	one, err := sdkTail(&fn.ResourceList{FunctionConfig: fn.NewEmptyKubeObject(), Results: fn.Results{r}})
	if err != nil {
		return out, err
	}
	_, element, _ := bytes.Cut(one, []byte("results:\n"))
	return append(out, element...), nil
}

// resultNode is r as the SDK lays it out (field, file, message, resourceRef
// with name, namespace, apiVersion, kind, severity; empty fields left out),
// or nil for what it does not cover: tags, field values, a file index, an
// empty resourceRef, field or file.
func resultNode(r *fn.Result) *yaml.Node {
	if len(r.Tags) > 0 || !validUTF8(r) {
		return nil
	}
	m := &yaml.Node{Kind: yaml.MappingNode}
	if f := r.Field; f != nil {
		if f.Path == "" || f.CurrentValue != nil || f.ProposedValue != nil {
			return nil
		}
		addField(m, "field", stringMapping(pair{"path", f.Path}))
	}
	if f := r.File; f != nil {
		if f.Path == "" || f.Index != 0 {
			return nil
		}
		addField(m, "file", stringMapping(pair{"path", f.Path}))
	}
	if r.Message != "" {
		addField(m, "message", str(r.Message))
	}
	if ref := r.ResourceRef; ref != nil {
		n := stringMapping(pair{"name", ref.Name}, pair{"namespace", ref.Namespace}, pair{"apiVersion", ref.APIVersion}, pair{"kind", ref.Kind})
		if len(n.Content) == 0 {
			return nil
		}
		addField(m, "resourceRef", n)
	}
	if r.Severity != "" {
		addField(m, "severity", str(string(r.Severity)))
	}
	if len(m.Content) == 0 {
		return nil
	}
	return m
}

// validUTF8: yaml.v3 writes other strings as !!binary; the SDK does that.
func validUTF8(r *fn.Result) bool {
	if !utf8.ValidString(r.Message) {
		return false
	}
	if ref := r.ResourceRef; ref != nil && !utf8.ValidString(ref.Name+ref.Namespace+ref.APIVersion+ref.Kind) {
		return false
	}
	if r.Field != nil && !utf8.ValidString(r.Field.Path) || r.File != nil && !utf8.ValidString(r.File.Path) {
		return false
	}
	return true
}

type pair struct{ key, value string }

// stringMapping is a mapping of the non-empty values.
func stringMapping(pairs ...pair) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for _, p := range pairs {
		if p.value != "" {
			addField(m, p.key, str(p.value))
		}
	}
	return m
}

func addField(m *yaml.Node, key string, value *yaml.Node) {
	m.Content = append(m.Content, str(key), value)
}

// str is a string scalar styled as yaml.v3 styles a Go string it encodes
// (the SDK encodes results from Go values): literal when multi-line, plain
// when it reads back as a string, double-quoted otherwise (YAML 1.1 booleans
// such as "n" and sexagesimal numbers included).
func str(v string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	switch {
	case strings.Contains(v, "\n"):
		n.Style = yaml.LiteralStyle
	case resolveTag(v) != strTag || oldBools[v] || base60Float.MatchString(v):
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// oldBools and base60Float are what yaml.v3 quotes for YAML 1.1 readers.
var (
	oldBools = map[string]bool{"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
		"n": true, "N": true, "no": true, "No": true, "NO": true, "off": true, "Off": true, "OFF": true}
	base60Float = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)
)

// sdkTail is the SDK's encoding of rl without its apiVersion and kind lines.
func sdkTail(rl *fn.ResourceList) ([]byte, error) {
	out, err := rl.ToYAML()
	if err != nil {
		return nil, err
	}
	_, after, _ := bytes.Cut(out, []byte("\nkind: ResourceList\n"))
	return after, nil
}
