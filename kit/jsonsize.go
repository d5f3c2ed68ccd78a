package kit

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// MaxAnnotationsSize is the API server's limit on the total size of an
// object's annotations. Client-side apply stores the whole object as compact
// JSON in the last-applied-configuration annotation, so a larger object can
// only be applied server-side.
const MaxAnnotationsSize = 262144

// CompactJSONSize is the size of the object encoded as compact JSON (as
// encoding/json writes it), which is what client-side apply stores in
// last-applied-configuration. It is counted from the YAML tree, without
// encoding: CRDs are megabytes of YAML.
func CompactJSONSize(o *fn.KubeObject) int {
	var size int
	_ = EditRNode(o, func(rn *yaml.RNode) error {
		size = jsonSize(rn.YNode())
		return nil
	})
	return size
}

func jsonSize(n *yaml.Node) int {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return 4 // null
		}
		return jsonSize(n.Content[0])
	case yaml.AliasNode:
		return jsonSize(n.Alias)
	case yaml.MappingNode:
		size := 2 + max(len(n.Content)/2-1, 0) // {} and commas
		for i := 0; i+1 < len(n.Content); i += 2 {
			size += jsonStringSize(n.Content[i].Value) + 1 + jsonSize(n.Content[i+1])
		}
		return size
	case yaml.SequenceNode:
		size := 2 + max(len(n.Content)-1, 0)
		for _, c := range n.Content {
			size += jsonSize(c)
		}
		return size
	}
	switch n.ShortTag() {
	case "!!null":
		return 4
	case "!!bool":
		if v, err := strconv.ParseBool(n.Value); err == nil && !v {
			return 5
		}
		return 4
	case "!!int":
		if v, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return len(strconv.FormatInt(v, 10))
		}
	case "!!float":
		if v, err := strconv.ParseFloat(n.Value, 64); err == nil {
			b, _ := json.Marshal(v)
			return len(b)
		}
	}
	return jsonStringSize(n.Value)
}

// jsonStringSize is the length of s as a JSON string by encoding/json:
// quotes, two-byte escapes, \u escapes for other control bytes, HTML
// characters, U+2028/U+2029 and invalid UTF-8.
func jsonStringSize(s string) int {
	size := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
				size += 2
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				size += 6
			default:
				size++
			}
			i++
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && width == 1, r == '\u2028', r == '\u2029':
			size += 6
		default:
			size += width
		}
		i += width
	}
	return size
}
