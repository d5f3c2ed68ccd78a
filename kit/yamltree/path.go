package yamltree

import (
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// step is one element of a path: a mapping key or a sequence index. Paths
// are kept as steps and formatted only for an error.
type step struct {
	key   string
	index int
	isKey bool
}

// stepOf is the step from n to its i-th content node: the key for a
// mapping's key and value, the index for a sequence.
func stepOf(n *yaml.Node, i int) step {
	if n.Kind == yaml.MappingNode {
		return step{key: resolve(n.Content[i-i%2]).Value, isKey: true}
	}
	return step{index: i}
}

// formatPath writes steps as kubectl writes field paths: keys joined by
// dots, keys that are not simple words in brackets, indexes in brackets.
func formatPath(path []step) string {
	var b strings.Builder
	for _, s := range path {
		switch {
		case !s.isKey:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case simpleKey(s.key):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		default:
			b.WriteString("[" + strconv.Quote(s.key) + "]")
		}
	}
	return b.String()
}

func simpleKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// KindOf names a node's kind for a message: "mapping", "list", "alias",
// and for scalars their YAML type: "string", "integer", "boolean", "null",
// "number", or the tag.
func KindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	case yaml.DocumentNode:
		return "document"
	}
	switch n.ShortTag() {
	case yaml.NodeTagString:
		return "string"
	case yaml.NodeTagInt:
		return "integer"
	case yaml.NodeTagBool:
		return "boolean"
	case yaml.NodeTagNull:
		return "null"
	case yaml.NodeTagFloat:
		return "number"
	case "!!timestamp":
		return "timestamp"
	case "!!binary":
		return "binary"
	}
	return n.ShortTag()
}

// IsMerge reports whether a mapping key is the merge key: `<<` written
// plain (a quoted "<<" is an ordinary key, as in yaml.v2).
func IsMerge(key *yaml.Node) bool {
	return key.Kind == yaml.ScalarNode && key.ShortTag() == yaml.MergeTag
}
