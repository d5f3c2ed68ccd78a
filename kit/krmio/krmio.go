// Package krmio reads and writes KRM ResourceLists fast and runs a function
// as a program. It keeps the SDK's object model (fn.ResourceList, comments,
// field order, annotations) and the SDK's output, but encodes every item as
// its own small YAML document instead of the whole list as one: the YAML
// emitter's cost grows with the document, and on a 12 MB Kubeflow render
// the single-document emit dominates a do-nothing function's run time.
package krmio

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Read parses a ResourceList (config.kubernetes.io/v1 or v1beta1, YAML or
// JSON) and checks that every item is a well-formed, unique object.
func Read(in []byte) (*fn.ResourceList, error) {
	if len(bytes.TrimSpace(in)) == 0 {
		return nil, fmt.Errorf("empty input: expected a ResourceList on stdin")
	}
	if rl, ok := readSplit(in); ok {
		return rl, nil
	}
	rl, err := fn.ParseResourceList(in)
	if err != nil {
		return nil, fmt.Errorf("input is not a ResourceList: %s", oneLine(err.Error()))
	}
	return rl, nil
}

// CheckItems reports items without apiVersion, kind or metadata.name,
// duplicate objects (a function cannot safely edit what it cannot identify)
// and objects over the limits in limits.go.
func CheckItems(rl *fn.ResourceList) error {
	for i, o := range rl.Items {
		if err := checkShape(o); err != nil {
			return fmt.Errorf("items[%d] (%s): %v", i, describe(o), err)
		}
		for _, missing := range []struct{ field, value string }{
			{"apiVersion", o.GetAPIVersion()}, {"kind", o.GetKind()}, {"metadata.name", o.GetName()},
		} {
			if missing.value == "" {
				return fmt.Errorf("items[%d] (%s %q): %s is missing", i, o.GetKind(), o.GetName(), missing.field)
			}
		}
	}
	if err := fn.CheckResourceDuplication(rl); err != nil {
		return fmt.Errorf("%s", oneLine(err.Error()))
	}
	return nil
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
	rest, err := (&fn.ResourceList{FunctionConfig: rl.FunctionConfig, Results: rl.Results}).ToYAML()
	if err != nil {
		return err
	}
	// rest starts with the same apiVersion and kind lines; what follows them
	// (functionConfig, results) is the SDK's own encoding.
	_, after, _ := bytes.Cut(rest, []byte("\nkind: ResourceList\n"))
	_, err = w.Write(after)
	return err
}

// encodeItems encodes each item as a one-element top-level sequence, which
// the emitter lays out exactly as an element of `items:` (same columns, so
// the same line folding), on all cores.
func encodeItems(items fn.KubeObjects) ([][]byte, error) {
	out := make([][]byte, len(items))
	err := forEachParallel(len(items), func() *bytes.Buffer { return &bytes.Buffer{} },
		func(buf *bytes.Buffer, i int) (err error) {
			buf.Reset()
			out[i], err = encodeItem(buf, items[i])
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func encodeItem(buf *bytes.Buffer, o *fn.KubeObject) ([]byte, error) {
	rn := o.MoveToResourceNode()
	defer func() { *o = *fn.MoveToKubeObject(rn) }()
	seq := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{rn.YNode()}}
	enc := yaml.NewEncoder(buf)
	if err := enc.Encode(seq); err != nil {
		return nil, fmt.Errorf("encoding %s %q: %w", o.GetKind(), o.GetName(), err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
