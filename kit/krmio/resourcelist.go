package krmio

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kfgitops/kfgitops/kit/yamltree"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ResourceList apiVersions accepted: the spec's, and the beta kpt still
// accepts. Output is always v1.
var resourceListVersions = map[string]bool{
	"config.kubernetes.io/v1":      true,
	"config.kubernetes.io/v1beta1": true,
}

// document is a parsed ResourceList, still as YAML nodes.
type document struct {
	items          []*yaml.Node // each a mapping
	functionConfig *yaml.Node   // a mapping, or nil
	results        fn.Results
	refused        error // set when part of the input was refused unparsed
}

// readTop checks the ResourceList's own mapping and takes it apart:
// kind ResourceList, a known apiVersion, every key once, items a list of
// objects (missing or null: none, as generators get), functionConfig an
// object (missing or null: none), results as the SDK reads them.
func readTop(top *yaml.Node) (*document, error) {
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("input is a YAML %s, not a ResourceList", yamltree.KindOf(top))
	}
	if err := yamltree.CheckKeys(top); err != nil {
		return nil, fmt.Errorf("ResourceList: %v", err)
	}
	if kind := stringField(top, "kind"); kind != "ResourceList" {
		return nil, fmt.Errorf("input is not a ResourceList: its kind is %s", describeValue(field(top, "kind")))
	}
	if v := stringField(top, "apiVersion"); !resourceListVersions[v] {
		return nil, fmt.Errorf("ResourceList apiVersion is %s: expected config.kubernetes.io/v1 (or v1beta1)", describeValue(field(top, "apiVersion")))
	}
	d := &document{}
	if items := field(top, "items"); items != nil && !isNull(items) {
		if items.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("ResourceList items must be a list of objects, got %s", yamltree.KindOf(items))
		}
		for i, o := range items.Content {
			if o.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("items[%d] (line %d) must be an object (a mapping), got %s", i, o.Line, yamltree.KindOf(o))
			}
		}
		d.items = items.Content
	}
	if fc := field(top, "functionConfig"); fc != nil && !isNull(fc) {
		if fc.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("functionConfig must be an object (a mapping), got %s", yamltree.KindOf(fc))
		}
		d.functionConfig = fc
	}
	results, err := readResults(field(top, "results"))
	if err != nil {
		return nil, err
	}
	d.results = results
	return d, nil
}

// readResults reads results as the SDK does: a list, or (older kyaml) a
// mapping holding the list under items; anything else is no results.
func readResults(n *yaml.Node) (fn.Results, error) {
	if n != nil && n.Kind == yaml.MappingNode {
		n = field(n, "items")
	}
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil, nil
	}
	var results fn.Results
	if err := n.Decode(&results); err != nil {
		return nil, fmt.Errorf("ResourceList results: %s", oneLine(strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	return results, nil
}

// field is the value of a key of a mapping, or nil.
func field(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// stringField is a mapping's string value for key, or "".
func stringField(m *yaml.Node, key string) string {
	if v := field(m, key); v != nil && isString(v) {
		return v.Value
	}
	return ""
}

func isString(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == yaml.NodeTagString
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == yaml.NodeTagNull
}

// describeValue names a value for a message: a string quoted, anything
// else by its kind, a missing one as missing.
func describeValue(n *yaml.Node) string {
	switch {
	case n == nil:
		return "missing"
	case isString(n):
		return fmt.Sprintf("%q", truncate(n.Value))
	}
	return "a " + yamltree.KindOf(n)
}

// truncate keeps messages one short line, whatever the input holds.
func truncate(s string) string {
	cut := 80
	if len(s) <= cut {
		return s
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
