package verify

import (
	"encoding/json"
	"strconv"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// nodeJSON encodes a YAML node as the JSON kubectl sends for it, straight
// from the node tree: RNode.MarshalJSON writes the node out as YAML text and
// decodes that into maps first, which at 50,000 objects was most of verify's
// time and garbage. Anything but plain mappings, sequences and core-schema
// scalars (anchors and aliases, merge keys, custom tags, non-decimal
// numbers) goes through RNode.MarshalJSON.
func nodeJSON(n *yaml.Node) ([]byte, error) {
	if out, ok := appendNodeJSON(nil, n); ok {
		return out, nil
	}
	return yaml.NewRNode(n).MarshalJSON()
}

// appendNodeJSON appends n's JSON; false when n needs the general path.
func appendNodeJSON(out []byte, n *yaml.Node) ([]byte, bool) {
	if n.Anchor != "" {
		return out, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		out = append(out, '{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Anchor != "" || k.ShortTag() != "!!str" {
				return out, false
			}
			if i > 0 {
				out = append(out, ',')
			}
			out = strconv.AppendQuote(out, k.Value)
			out = append(out, ':')
			var ok bool
			if out, ok = appendNodeJSON(out, n.Content[i+1]); !ok {
				return out, false
			}
		}
		return append(out, '}'), true
	case yaml.SequenceNode:
		out = append(out, '[')
		for i, e := range n.Content {
			if i > 0 {
				out = append(out, ',')
			}
			var ok bool
			if out, ok = appendNodeJSON(out, e); !ok {
				return out, false
			}
		}
		return append(out, ']'), true
	case yaml.ScalarNode:
		return appendScalarJSON(out, n)
	}
	return out, false
}

func appendScalarJSON(out []byte, n *yaml.Node) ([]byte, bool) {
	switch n.ShortTag() {
	case "!!str":
		b, err := json.Marshal(n.Value) // JSON's escapes, not Go's
		return append(out, b...), err == nil
	case "!!null":
		return append(out, "null"...), true
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			return append(out, "true"...), true
		case "false", "False", "FALSE":
			return append(out, "false"...), true
		}
	case "!!int":
		// base 0, as yaml.v3 resolves ints ("010" is 8)
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil && plainNumber(n.Value) {
			return strconv.AppendInt(out, i, 10), true
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && plainNumber(n.Value) {
			return strconv.AppendFloat(out, f, 'g', -1, 64), true
		}
	}
	return out, false
}

// plainNumber: digits, signs, a point and exponents only (no "_", ".inf",
// hexadecimal), which strconv and yaml.v3 read alike.
func plainNumber(v string) bool {
	for _, c := range v {
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			return false
		}
	}
	return v != "" && v[0] != '.'
}
