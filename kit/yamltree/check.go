// Package yamltree checks and normalizes parsed YAML trees the way the
// Kubernetes API server's YAML reader (sigs.k8s.io/yaml over yaml.v2) reads
// them, before any function looks at them: aliases and merge keys (`<<`)
// expanded, duplicate keys refused, and size measured with aliases expanded,
// in one walk that never expands anything (an alias bomb costs its input).
package yamltree

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Limits bound one tree with its aliases expanded.
type Limits struct {
	Bytes int // bytes of keys and scalar values
	Nodes int // nodes (keys, values, collections)
	Depth int // nesting
}

// Size is what Check measured.
type Size struct {
	Bytes, Nodes int
	// AddedBytes and AddedNodes are what aliases add to the tree as written
	// (including aliases of anchors outside it).
	AddedBytes, AddedNodes int
	// Anchors, Aliases and Merges report anchors, aliases and merge keys:
	// Expand must run.
	Anchors, Aliases, Merges bool
}

// NeedsExpand reports whether the tree has anchors, aliases or merge keys.
func (s Size) NeedsExpand() bool { return s.Anchors || s.Aliases || s.Merges }

// LimitError reports a tree over one of its limits.
type LimitError struct {
	What         string // "bytes", "nodes" or "depth"
	Limit        int
	Got          int  // the exact bytes of a tree without aliases; 0 when not measured to the end
	AliasesCount bool // aliases contributed (the tree as written may be small)
}

func (e *LimitError) Error() string {
	via := ""
	if e.AliasesCount {
		via = " with its YAML aliases expanded"
	}
	switch {
	case e.What == "depth":
		return fmt.Sprintf("nested deeper than %d levels%s", e.Limit, via)
	case e.What == "nodes":
		return fmt.Sprintf("more than %d keys and values%s", e.Limit, via)
	case e.Got > 0:
		return fmt.Sprintf("its keys and values hold %d bytes%s, over the limit of %d bytes", e.Got, via, e.Limit)
	}
	return fmt.Sprintf("its keys and values hold more than %d bytes%s", e.Limit, via)
}

// PathError is a problem at one place in the tree.
type PathError struct {
	Path string // e.g. "metadata.labels[app.kubernetes.io/name]"; "" for the root
	Msg  string
}

func (e *PathError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Check walks n once and reports, as a *LimitError or a *PathError, the
// first of: a limit exceeded with aliases expanded, a duplicate key, a key
// that is not a scalar, a malformed merge key, an alias cycle.
func Check(n *yaml.Node, lim Limits) (Size, error) {
	c := checker{lim: lim}
	m := c.walk(n, 1, false)
	if le, ok := c.err.(*LimitError); ok && le.What == "bytes" && !c.size.Aliases {
		le.Got = scalarBytes(n)
	}
	if c.err != nil {
		return Size{}, c.err
	}
	c.size.Bytes, c.size.Nodes = m.bytes, m.nodes
	c.size.AddedBytes, c.size.AddedNodes = m.bytes-c.literal.bytes, m.nodes-c.literal.nodes
	return c.size, nil
}

type measure struct{ bytes, nodes, height int }

type memo struct {
	measure
	done bool
}

type checker struct {
	lim     Limits
	size    Size
	literal measure              // the tree as written, aliases not followed
	anchors map[*yaml.Node]*memo // anchored nodes' expanded measures
	path    []step
	err     error
}

// walk returns n's measure with aliases expanded; viaAlias: n is reached
// through an alias, so it is not part of the tree as written.
func (c *checker) walk(n *yaml.Node, depth int, viaAlias bool) measure {
	if n.Kind == yaml.AliasNode {
		c.size.Aliases = true
		if !viaAlias {
			c.literal.nodes++
		}
		return c.alias(n, depth)
	}
	if n.Anchor != "" && c.anchors[n] != nil {
		return c.anchors[n].measure
	}
	var entry *memo
	if n.Anchor != "" {
		c.size.Anchors = true
		if c.anchors == nil {
			c.anchors = map[*yaml.Node]*memo{}
		}
		entry = &memo{}
		c.anchors[n] = entry
	}
	m := measure{bytes: len(n.Value), nodes: 1, height: 1}
	if !viaAlias {
		c.literal.bytes += len(n.Value)
		c.literal.nodes++
	}
	if n.Kind == yaml.MappingNode {
		c.mappingKeys(n)
	}
	for i, child := range n.Content {
		if c.err != nil {
			return m
		}
		c.path = append(c.path, stepOf(n, i))
		cm := c.walk(child, depth+1, viaAlias)
		c.path = c.path[:len(c.path)-1]
		m.bytes += cm.bytes
		m.nodes += cm.nodes
		m.height = max(m.height, cm.height+1)
		c.limit(m, depth)
	}
	if entry != nil {
		entry.measure, entry.done = m, true
	}
	return m
}

// alias measures an alias by its anchor's measure, walking the anchor only
// the first time.
func (c *checker) alias(n *yaml.Node, depth int) measure {
	target := n.Alias
	if target == nil {
		c.fail("alias *%s has no anchor", n.Value)
		return measure{}
	}
	if e := c.anchors[target]; e != nil {
		if !e.done {
			c.fail("alias *%s refers to a node that contains it", target.Anchor)
			return measure{}
		}
		c.limit(e.measure, depth)
		return e.measure
	}
	m := c.walk(target, depth, true)
	c.limit(m, depth)
	return m
}

// limit records the first limit m (a node at depth) exceeds.
func (c *checker) limit(m measure, depth int) {
	if c.err != nil {
		return
	}
	aliases := c.size.Aliases
	switch {
	case depth+m.height-1 > c.lim.Depth:
		c.err = &LimitError{What: "depth", Limit: c.lim.Depth, AliasesCount: aliases}
	case m.nodes > c.lim.Nodes:
		c.err = &LimitError{What: "nodes", Limit: c.lim.Nodes, AliasesCount: aliases}
	case m.bytes > c.lim.Bytes:
		c.err = &LimitError{What: "bytes", Limit: c.lim.Bytes, AliasesCount: aliases}
	}
}

func (c *checker) fail(format string, a ...any) {
	if c.err == nil {
		c.err = &PathError{Path: formatPath(c.path), Msg: fmt.Sprintf(format, a...)}
	}
}

// mappingKeys checks a mapping's keys: scalars, each once, merge keys
// well-formed.
func (c *checker) mappingKeys(n *yaml.Node) {
	if len(n.Content)%2 != 0 {
		c.fail("a mapping with a key and no value")
		return
	}
	keys := len(n.Content) / 2
	var seen map[string]bool
	if keys > 16 {
		seen = make(map[string]bool, keys)
	}
	for i := 0; i < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		if k.Kind != yaml.ScalarNode {
			c.path = append(c.path, step{key: "?", isKey: true})
			c.fail("a key is a %s: object keys must be strings", KindOf(n.Content[i]))
			return
		}
		if duplicate(n, i, seen) {
			c.fail("key %q appears more than once (line %d and line %d)", k.Value, firstLine(n, i), k.Line)
			return
		}
		if IsMerge(k) {
			c.size.Merges = true
			if _, err := MergeSources(n.Content[i+1]); err != nil {
				c.path = append(c.path, step{key: "<<", isKey: true})
				c.fail("%v", err)
				return
			}
		}
	}
}

// duplicate reports whether the key at i repeats an earlier key of n.
func duplicate(n *yaml.Node, i int, seen map[string]bool) bool {
	k := resolve(n.Content[i]).Value
	if seen != nil {
		if seen[k] {
			return true
		}
		seen[k] = true
		return false
	}
	for j := 0; j < i; j += 2 {
		if resolve(n.Content[j]).Value == k {
			return true
		}
	}
	return false
}

func firstLine(n *yaml.Node, i int) int {
	k := resolve(n.Content[i]).Value
	for j := 0; j < i; j += 2 {
		if resolve(n.Content[j]).Value == k {
			return resolve(n.Content[j]).Line
		}
	}
	return 0
}

// scalarBytes sums the values of a tree without aliases.
func scalarBytes(n *yaml.Node) int {
	b := len(n.Value)
	for _, c := range n.Content {
		b += scalarBytes(c)
	}
	return b
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// CheckKeys checks one mapping's own keys (not its values) as Check does.
func CheckKeys(n *yaml.Node) error {
	var c checker
	c.mappingKeys(n)
	return c.err
}
