package krmio

import (
	"bytes"
	"errors"
	"io"

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
// with that empty value, on that line. Each item is parsed as a document of
// its own and must be one complete sequence element.
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
	batches := itemBatches(chunks)
	err := forEachParallel(len(batches), func() *[]byte { return new([]byte) }, func(buf *[]byte, i int) error {
		lo, hi := batches[i][0], batches[i][1]
		if !parseBatch(buf, chunks[lo:hi], nodes[lo:hi]) {
			return errUnsplittable
		}
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

// Batches of consecutive items are parsed by one parser: a parser's buffers
// and token queue, allocated anew for every document parsed alone, were
// most of the garbage of reading many small objects (50,000 objects: 475 MiB
// of 730 MiB allocated), and garbage is what the heap grows by at GOGC=400.
// A batch ends at maxBatchItems items or once it holds maxBatchBytes, so that
// a large CRD stays a batch of its own and the work spreads over the cores.
const (
	maxBatchItems = 64
	maxBatchBytes = 64 << 10
)

// itemBatches cuts the chunks into consecutive [lo, hi) batches.
func itemBatches(chunks [][]byte) [][2]int {
	var batches [][2]int
	lo, size := 0, 0
	for i, c := range chunks {
		size += len(c)
		if i+1-lo == maxBatchItems || size >= maxBatchBytes || i == len(chunks)-1 {
			batches = append(batches, [2]int{lo, i + 1})
			lo, size = i+1, 0
		}
	}
	return batches
}

// parseBatch parses chunks, each "- <item>", as one YAML stream of one
// document per chunk, and puts each item's mapping node in into. The chunks
// start a line at column 0 only with "- " (splitItems), so the "---" lines
// put between them are the stream's only document markers; the stream must
// hold exactly one document per chunk. buf is the worker's reused copy of
// the stream (the nodes' strings are copies, not views of it).
func parseBatch(buf *[]byte, chunks [][]byte, into []*yaml.Node) bool {
	stream := (*buf)[:0]
	for i, c := range chunks {
		if i > 0 {
			if stream[len(stream)-1] != '\n' {
				return false // only the block's last chunk may end without one
			}
			stream = append(stream, "---\n"...)
		}
		stream = append(stream, c...)
	}
	*buf = stream
	dec := yaml.NewDecoder(bytes.NewReader(stream))
	for i := range chunks {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return false
		}
		item, ok := sequenceItem(&doc)
		if !ok {
			return false
		}
		into[i] = item
	}
	var extra yaml.Node
	return dec.Decode(&extra) == io.EOF
}

// sequenceItem is the mapping node of a document "- <item>".
func sequenceItem(doc *yaml.Node) (*yaml.Node, bool) {
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
