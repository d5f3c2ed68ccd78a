package krmio

import (
	"bytes"
	"io"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// resultsChunk is how many results are encoded at a time: the SDK builds a
// YAML node tree of everything it encodes, a few KiB per result, so a
// function reporting on each of 50,000 objects would hold hundreds of MiB of
// nodes for one write.
const resultsChunk = 512

// writeTail writes what follows the items, functionConfig and results, in
// the SDK's own encoding. Results are encoded in chunks: a sequence is laid
// out element by element, so the chunks concatenate to the SDK's encoding
// of the whole list.
func writeTail(w io.Writer, rl *fn.ResourceList) error {
	first := rl.Results[:min(len(rl.Results), resultsChunk)]
	head, err := sdkTail(&fn.ResourceList{FunctionConfig: rl.FunctionConfig, Results: first})
	if err != nil {
		return err
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	for start := len(first); start < len(rl.Results); start += resultsChunk {
		chunk, err := sdkTail(&fn.ResourceList{FunctionConfig: fn.NewEmptyKubeObject(), Results: rl.Results[start:min(len(rl.Results), start+resultsChunk)]})
		if err != nil {
			return err
		}
		_, elements, _ := bytes.Cut(chunk, []byte("results:\n"))
		if _, err := w.Write(elements); err != nil {
			return err
		}
	}
	return nil
}

// sdkTail is the SDK's encoding of rl without its apiVersion and kind lines.
func sdkTail(rl *fn.ResourceList) ([]byte, error) {
	out, err := rl.ToYAML()
	if err != nil {
		return nil, err
	}
	_, after, _ := bytes.Cut(out, []byte("\nkind: ResourceList\n"))
	return after, nil
}
