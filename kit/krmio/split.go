package krmio

import (
	"bytes"
	"errors"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// readSplit parses the common shape of a ResourceList, the one kpt,
// kustomize and the SDK write (a block sequence under a top-level `items:`,
// every item starting with "- " at column 0), item by item on all cores
// instead of as one document. It reports false for anything else and the
// caller parses the whole document as the SDK does; the result is the same
// either way, which FuzzRead and the corpus tests check.
//
// It never trusts the text: the candidate `items:` line is replaced by
// `items: []` and the rest of the document is parsed, which proves the line
// is the ResourceList's own items key (not text inside a quoted or block
// scalar, a flow collection or a comment) when the parser puts that key,
// with that empty value, on that line. Each item is parsed alone and must
// be one complete sequence element.
func readSplit(in []byte) (*document, bool) {
	if hasOtherLineBreaks(in) {
		return nil, false
	}
	start, end, ok := itemsBlock(in)
	if !ok || end < len(in) && in[end] == '#' {
		// A comment line right after the items: the SDK gives it to the last
		// item or drops it, depending on what follows.
		return nil, false
	}
	chunks, ok := splitItems(in[start:end])
	if !ok {
		return nil, false
	}
	rest, itemsLine := emptyBlock(in, "items", "[]", start, end)
	if err, ok := oversizedConfig(rest); ok {
		return &document{refused: err}, true
	}
	d, ok := readRest(rest, itemsLine)
	if !ok {
		return nil, false
	}
	nodes := make([]*yaml.Node, len(chunks))
	errUnsplittable := errors.New("not splittable")
	err := forEachParallel(len(chunks), func() struct{} { return struct{}{} }, func(_ struct{}, i int) error {
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
	d.items = nodes
	return d, true
}

// hasOtherLineBreaks reports line breaks other than "\n": YAML also breaks
// lines at CR, NEL, LS and PS, which the line scan below does not see.
func hasOtherLineBreaks(in []byte) bool {
	return bytes.IndexByte(in, '\r') >= 0 ||
		bytes.Contains(in, []byte("\u0085")) ||
		bytes.Contains(in, []byte("\u2028")) ||
		bytes.Contains(in, []byte("\u2029"))
}

// readRest parses the document with its items replaced by `items: []` on
// line itemsLine, and reports whether the parser agrees: one document, a
// mapping whose only items key is on that line at column 1 with an empty
// flow list. Anything readTop refuses is left to the whole-document parse,
// which gives the same answer with its own message.
func readRest(rest []byte, itemsLine int) (*document, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(rest))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil || len(doc.Content) != 1 {
		return nil, false
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return nil, false
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, false
	}
	found := 0
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Value != "items" {
			continue
		}
		found++
		if k.Line != itemsLine || k.Column != 1 || k.Style != 0 || v.Kind != yaml.SequenceNode || len(v.Content) != 0 {
			return nil, false
		}
	}
	if found != 1 {
		return nil, false
	}
	d, err := readTop(top)
	return d, err == nil
}

// itemsBlock finds the lines after the first column-0 "items:" line, up to
// the next line that starts at column 0 with anything but "-".
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
// such as a comment, a document marker or a flow collection's continuation,
// and the caller parses the whole document). A chunk that ends in a comment
// line is refused too, since the whole-document parse may attach that
// comment to the next item. Lines inside items are left to the parser.
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
