package krmio

import (
	"bytes"
	"errors"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// readSplit parses the common shape of a ResourceList, the one kpt,
// kustomize and the SDK write (a block sequence under a top-level `items:`,
// every item starting with "- " at column 0), item by item on all cores
// instead of as one document. It reports false for anything else (flow
// style, JSON, comment lines, anchors, odd indentation) and the caller
// parses the whole document as the SDK does; the result is the same either
// way, which the tests check on the corpus.
func readSplit(in []byte) (*fn.ResourceList, bool) {
	start, end, ok := itemsBlock(in)
	if !ok {
		return nil, false
	}
	chunks, ok := splitItems(in[start:end])
	if !ok {
		return nil, false
	}
	rest := make([]byte, 0, start+len(in)-end+16)
	rest = append(rest, in[:start]...)
	rest = append(rest[:len(rest)-len("items:\n")], "items: []\n"...)
	rest = append(rest, in[end:]...)
	rl, err := fn.ParseResourceList(rest)
	if err != nil {
		return nil, false
	}
	nodes := make([]*yaml.Node, len(chunks))
	errUnsplittable := errors.New("not splittable")
	err = forEachParallel(len(chunks), func() struct{} { return struct{}{} }, func(_ struct{}, i int) error {
		n, ok := parseItem(chunks[i])
		if !ok {
			return errUnsplittable
		}
		nodes[i] = n
		return nil
	})
	if err != nil {
		return nil, false
	}
	rl.Items = make(fn.KubeObjects, len(nodes))
	for i, n := range nodes {
		rl.Items[i] = fn.MoveToKubeObject(yaml.NewRNode(n))
	}
	return rl, true
}

// itemsBlock finds the lines after a top-level "items:" line, up to the next
// top-level key.
func itemsBlock(in []byte) (start, end int, ok bool) {
	var i int
	switch {
	case bytes.HasPrefix(in, []byte("items:\n")):
		i = 0
	default:
		i = bytes.Index(in, []byte("\nitems:\n"))
		if i < 0 {
			return 0, 0, false
		}
		i++
	}
	start = i + len("items:\n")
	end = start
	for end < len(in) {
		nl := bytes.IndexByte(in[end:], '\n')
		if nl < 0 {
			nl = len(in) - end - 1
		}
		line := in[end : end+nl+1]
		if len(line) > 0 && line[0] != ' ' && line[0] != '-' && line[0] != '\n' {
			break // the next top-level key
		}
		end += nl + 1
	}
	return start, end, end > start
}

// splitItems cuts the items block at every "- " line. Only column 0 is
// looked at: every line there must start an item or be empty (anything else,
// such as a comment or a flow collection's continuation, and the caller
// parses the whole document). A chunk that ends in a comment line is refused
// too, since the whole-document parse may attach that comment to the next
// item. Lines inside items are left to the parser.
func splitItems(block []byte) ([][]byte, bool) {
	var chunks [][]byte
	chunkStart := -1
	lastContent := []byte(nil) // the last non-empty line of the current chunk
	for pos := 0; pos < len(block); {
		nl := bytes.IndexByte(block[pos:], '\n')
		if nl < 0 {
			nl = len(block) - pos
		}
		line := block[pos : pos+nl]
		switch {
		case bytes.HasPrefix(line, []byte("- ")):
			if chunkStart >= 0 {
				if endsInComment(lastContent) {
					return nil, false
				}
				chunks = append(chunks, block[chunkStart:pos])
			}
			chunkStart = pos
		case len(line) == 0:
		case line[0] != ' ' || chunkStart < 0:
			return nil, false
		}
		if len(bytes.TrimSpace(line)) > 0 {
			lastContent = line
		}
		pos += nl + 1
	}
	if chunkStart < 0 || endsInComment(lastContent) {
		return nil, false
	}
	return append(chunks, block[chunkStart:]), true
}

func endsInComment(line []byte) bool {
	t := bytes.TrimSpace(line)
	return len(t) > 0 && t[0] == '#'
}

// parseItem parses "- <item>" and returns the item's mapping node.
func parseItem(chunk []byte) (*yaml.Node, bool) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(chunk))
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.SequenceNode || len(doc.Content[0].Content) != 1 {
		return nil, false
	}
	item := doc.Content[0].Content[0]
	if item.Kind != yaml.MappingNode || hasAnchors(item) {
		return nil, false
	}
	return item, true
}

// hasAnchors reports anchors or aliases: an alias may refer to an anchor in
// another item, which only the whole-document parse resolves.
func hasAnchors(n *yaml.Node) bool {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if hasAnchors(c) {
			return true
		}
	}
	return false
}
