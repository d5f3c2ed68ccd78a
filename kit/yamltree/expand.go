package yamltree

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// MergeSources lists the mappings a merge key's value merges, highest
// precedence first: the mapping itself, or the mappings of a list in their
// order (YAML merge key spec: earlier mappings override later ones).
func MergeSources(v *yaml.Node) ([]*yaml.Node, error) {
	v = resolve(v)
	switch v.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{v}, nil
	case yaml.SequenceNode:
		sources := make([]*yaml.Node, 0, len(v.Content))
		for i, e := range v.Content {
			if e = resolve(e); e.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("element %d of the merge list is a %s: a merge key takes a mapping or a list of mappings", i, KindOf(e))
			}
			sources = append(sources, e)
		}
		return sources, nil
	}
	return nil, fmt.Errorf("a merge key takes a mapping or a list of mappings, got %s", KindOf(v))
}

// Expand replaces every alias under n by a copy of its anchor's node and
// every merge key by the keys it merges that the mapping does not set
// itself, in the merge key's place; anchors are dropped. The result reads
// as yaml.v2 (and so the API server) reads the tree. n must have passed
// Check. n is edited in place and returned (an alias root is replaced).
func Expand(n *yaml.Node) *yaml.Node {
	return expand(n, false)
}

// expand expands n in place, or builds an expanded copy (cp) and leaves n
// as it is (an anchor's node, which other aliases may still copy).
func expand(n *yaml.Node, cp bool) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return expand(n.Alias, true)
	}
	out := n
	if cp {
		c := *n
		out = &c
	}
	out.Anchor = ""
	switch {
	case n.Kind == yaml.MappingNode && hasMergeKey(n):
		out.Content = expandMerges(n, cp)
	case len(n.Content) > 0:
		content := n.Content
		if cp {
			content = make([]*yaml.Node, len(n.Content))
		}
		for i, c := range n.Content {
			content[i] = expand(c, cp)
		}
		out.Content = content
	}
	return out
}

func hasMergeKey(n *yaml.Node) bool {
	for i := 0; i < len(n.Content); i += 2 {
		if IsMerge(resolve(n.Content[i])) {
			return true
		}
	}
	return false
}

// expandMerges returns a mapping's expanded keys and values, its merge
// keys replaced by copies of what they merge.
func expandMerges(n *yaml.Node, cp bool) []*yaml.Node {
	set := map[string]bool{}
	for i := 0; i < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); !IsMerge(k) {
			set[k.Value] = true
		}
	}
	content := make([]*yaml.Node, 0, len(n.Content))
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !IsMerge(resolve(k)) {
			content = append(content, expand(k, cp), expand(v, cp))
			continue
		}
		sources, _ := MergeSources(v) // Check has vetted it
		for _, src := range sources {
			merged := expand(src, true).Content
			for j := 0; j < len(merged); j += 2 {
				if key := merged[j].Value; !set[key] {
					set[key] = true
					content = append(content, merged[j], merged[j+1])
				}
			}
		}
	}
	return content
}
