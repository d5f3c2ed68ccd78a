package verify

import (
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// nodeType is the JSON type a field must have for the API server to decode
// the object.
type nodeType int

const (
	stringType    nodeType = iota // a string (or null)
	stringMapType                 // a mapping of strings to strings (or null)
	mappingType                   // a mapping (or null)
	listType                      // a sequence (or null)
)

// check returns "" when n has the type, else a problem and, for a map of
// strings, the offending key's field suffix.
func (t nodeType) check(n *yaml.Node) (field, problem string) {
	if n == nil || isNull(n) {
		return "", ""
	}
	switch t {
	case stringType:
		if !isString(n) {
			return "", "must be a string, not " + describeNode(n)
		}
	case mappingType, stringMapType:
		if n.Kind != yaml.MappingNode {
			return "", "must be a mapping, not " + describeNode(n)
		}
		if t == stringMapType {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if v := n.Content[i+1]; !isString(v) {
					return "." + n.Content[i].Value, "must be a string, not " + describeNode(v) + " (quote it)"
				}
			}
		}
	case listType:
		if n.Kind != yaml.SequenceNode {
			return "", "must be a list, not " + describeNode(n)
		}
	}
	return "", ""
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func isString(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" }

// describeNode names a node's type as a user wrote it.
func describeNode(n *yaml.Node) string {
	switch {
	case n == nil:
		return "missing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	case n.ShortTag() == "!!str":
		return "a string"
	case n.ShortTag() == "!!null":
		return "null"
	}
	if what, ok := map[string]string{"!!int": "the integer", "!!float": "the number", "!!bool": "the boolean"}[n.ShortTag()]; ok {
		return what + " " + n.Value
	}
	return "a " + n.ShortTag() + " scalar"
}

// mapValueNode returns the value of key in a mapping node, or nil.
func mapValueNode(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
