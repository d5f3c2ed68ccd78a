// Package krmio reads and writes KRM ResourceLists fast and runs a function
// as a program. It keeps the SDK's object model (fn.ResourceList, comments,
// field order, annotations) and the SDK's output, but encodes every item on
// its own instead of the whole list as one YAML document (the emitter's cost
// grows with the document: on a 12 MB Kubeflow render the single-document
// emit dominates a do-nothing function's run time), with an emitter that
// does not queue every event the way yaml.v3's does (emit.go).
package krmio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/yamltree"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Read parses a ResourceList (config.kubernetes.io/v1 or v1beta1, YAML or
// JSON) into what functions see, or refuses it with one line naming the
// item, the field and what was expected: Lists expanded into their objects,
// YAML aliases and merge keys expanded, every key once, every object within
// the limits (limits.go) and identified by apiVersion, kind and name, the
// functionConfig within kit.ConfigLimits.
func Read(in []byte) (*fn.ResourceList, error) {
	if len(bytes.TrimSpace(in)) == 0 {
		return nil, fmt.Errorf("empty input: expected a ResourceList on stdin")
	}
	d, fast := parseFast(in)
	if !fast {
		var err error
		if d, err = readWhole(in); err != nil {
			return nil, err
		}
	}
	rl, err := prepare(d, len(in))
	if le := (*lineError)(nil); errors.As(err, &le) && fast {
		// Items parsed alone number their lines from their own start: give
		// the message of the whole-document parse, with the input's lines.
		if d, werr := readWhole(in); werr != nil {
			return nil, werr
		} else if _, err = prepare(d, len(in)); err == nil {
			return nil, fmt.Errorf("the item-by-item and whole-document reads disagree (set %s=1)", SDKReaderEnv)
		}
	}
	return rl, err
}

// lineError is a refusal whose message may carry line numbers, which the
// item-by-item parse numbers from each item's start and, after the items,
// without them.
type lineError struct{ error }

func (e *lineError) Unwrap() error { return e.error }

// parseFast parses the input item by item, unless SDKReaderEnv forbids it;
// fast is false when the caller must parse the whole document.
func parseFast(in []byte) (d *document, fast bool) {
	if sdkReaderForced() {
		return nil, false
	}
	return readSplit(in)
}

// moveObject makes a parsed mapping a KubeObject, without copying it.
func moveObject(n *yaml.Node) *fn.KubeObject {
	return fn.MoveToKubeObject(yaml.NewRNode(n))
}

// prepare builds the ResourceList functions see from a parsed document.
func prepare(d *document, inputBytes int) (*fn.ResourceList, error) {
	if d.refused != nil {
		return nil, d.refused
	}
	items, err := prepareItems(d.items, inputBytes)
	if err != nil {
		return nil, &lineError{err}
	}
	rl := &fn.ResourceList{Items: items, FunctionConfig: fn.NewEmptyKubeObject(), Results: d.results}
	if fc := d.functionConfig; fc != nil {
		size, err := yamltree.Check(fc, kit.ConfigLimits)
		if err != nil {
			return nil, &lineError{fmt.Errorf("functionConfig: %v", err)}
		}
		if size.NeedsExpand() {
			fc = yamltree.Expand(fc)
		}
		rl.FunctionConfig = moveObject(fc)
	}
	return rl, nil
}

// Write writes the ResourceList as the SDK's ResourceList.ToYAML would, byte
// for byte, except that an empty item list is written as `items: []` (the
// KRM spec requires the field). Items are sorted as the SDK sorts them.
func Write(w io.Writer, rl *fn.ResourceList) error {
	kit.SortItems(rl.Items)
	encoded, err := encodeItems(rl.Items)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n")
	if len(rl.Items) == 0 {
		buf.WriteString("items: []\n")
	} else {
		buf.WriteString("items:\n")
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return err
	}
	for _, b := range encoded {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return writeTail(w, rl)
}

// encodeItems encodes each item, on all cores, as it would be laid out as an
// element of `items:` (emit.go, or yaml.v3 for what that does not cover).
func encodeItems(items fn.KubeObjects) ([][]byte, error) {
	out := make([][]byte, len(items))
	err := forEachParallel(len(items), func() *encodeState { return &encodeState{} },
		func(s *encodeState, i int) (err error) {
			out[i], err = s.encodeItem(items[i])
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// encodeState is one worker's scratch space, reused from item to item.
type encodeState struct {
	emitted []byte
	buf     bytes.Buffer
}

func (s *encodeState) encodeItem(o *fn.KubeObject) ([]byte, error) {
	rn := o.MoveToResourceNode()
	defer func() { *o = *fn.MoveToKubeObject(rn) }()
	var err error
	if s.emitted, err = emitItem(s.emitted[:0], rn.YNode()); err == nil {
		return bytes.Clone(s.emitted), nil
	}
	s.buf.Reset()
	return encodeItemYAMLv3(&s.buf, rn)
}

// encodeItemYAMLv3 encodes the item as a one-element top-level sequence,
// which yaml.v3 lays out exactly as an element of `items:`.
func encodeItemYAMLv3(buf *bytes.Buffer, rn *yaml.RNode) ([]byte, error) {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{rn.YNode()}}
	enc := yaml.NewEncoder(buf)
	if err := enc.Encode(seq); err != nil {
		return nil, fmt.Errorf("encoding %s %q: %w", rn.GetKind(), rn.GetName(), err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
