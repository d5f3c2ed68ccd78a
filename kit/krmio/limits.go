package krmio

import (
	"fmt"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Limits on a single input object. Real manifests are far below them; input
// above them is refused before any function walks it.
const (
	// MaxObjectBytes is the size the Kubernetes API server accepts for one
	// object (etcd's request limit): a larger object can never be applied.
	MaxObjectBytes = 3 << 19 // 1.5 MiB
	// MaxDepth bounds nesting; the deepest Kubeflow object nests about 30.
	MaxDepth = 256
	// MaxExpandedNodes bounds what YAML aliases expand to, so an alias bomb
	// cannot blow up a consumer that follows aliases.
	MaxExpandedNodes = 1 << 22
)

// checkShape measures one object's approximate size (scalar bytes), depth
// and alias-expanded node count in one walk, and reports the first limit it
// exceeds. An object within the limits that uses YAML anchors is expanded
// (as kustomize does when it loads resources): the SDK's accessors do not
// follow aliases, and a function must see every field where it is.
func checkShape(o *fn.KubeObject) error {
	rn := o.MoveToResourceNode()
	defer func() { *o = *fn.MoveToKubeObject(rn) }()
	m := measure{expanded: map[*yaml.Node]int{}}
	nodes := m.walk(rn.YNode(), 1)
	if len(m.expanded) > 0 && !m.tooDeep && nodes <= MaxExpandedNodes && m.bytes <= MaxObjectBytes {
		if err := rn.DeAnchor(); err != nil {
			return fmt.Errorf("expanding YAML anchors: %v", err)
		}
	}
	switch {
	case m.tooDeep:
		return fmt.Errorf("nested deeper than %d levels", MaxDepth)
	case nodes > MaxExpandedNodes:
		return fmt.Errorf("YAML aliases expand to more than %d nodes (an alias bomb?)", MaxExpandedNodes)
	case m.bytes > MaxObjectBytes:
		return fmt.Errorf("about %.1f MiB, over the %.1f MiB the Kubernetes API server accepts for one object", float64(m.bytes)/(1<<20), float64(MaxObjectBytes)/(1<<20))
	}
	return nil
}

type measure struct {
	bytes    int
	tooDeep  bool
	expanded map[*yaml.Node]int // alias targets' expanded sizes, counted once
}

// walk returns the node count of n with aliases expanded.
func (m *measure) walk(n *yaml.Node, depth int) int {
	if depth > MaxDepth {
		m.tooDeep = true
		return 0
	}
	if n.Kind == yaml.AliasNode {
		if size, ok := m.expanded[n.Alias]; ok {
			return size
		}
		m.expanded[n.Alias] = 0 // a cycle counts as nothing more
		size := m.walk(n.Alias, depth+1)
		m.expanded[n.Alias] = size
		return size
	}
	m.bytes += len(n.Value)
	count := 1
	for _, c := range n.Content {
		count += m.walk(c, depth+1)
		if m.tooDeep || count > MaxExpandedNodes {
			return count
		}
	}
	return count
}

// describe names an object for an error message without the SDK's
// accessors, which panic on aliased fields of objects refused for their shape.
func describe(o *fn.KubeObject) string {
	rn := o.MoveToResourceNode()
	defer func() { *o = *fn.MoveToKubeObject(rn) }()
	field := func(n *yaml.Node, keys ...string) string {
		for _, k := range keys {
			for n != nil && n.Kind == yaml.AliasNode {
				n = n.Alias
			}
			if n == nil || n.Kind != yaml.MappingNode {
				return ""
			}
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					next = n.Content[i+1]
				}
			}
			n = next
		}
		if n == nil {
			return ""
		}
		return n.Value
	}
	return fmt.Sprintf("%s %q", field(rn.YNode(), "kind"), field(rn.YNode(), "metadata", "name"))
}
