package krmio

import (
	"errors"
	"fmt"

	"github.com/kfgitops/kfgitops/kit/yamltree"
)

// Limits on a single input object, measured with YAML aliases expanded.
// Real manifests are far below them; input above them is refused before
// anything is expanded and before any function walks it.
const (
	// MaxObjectBytes is the size the Kubernetes API server accepts for one
	// object (etcd's request limit): a larger object can never be applied.
	// It bounds the bytes of an object's keys and values.
	MaxObjectBytes = 3 << 19 // 1.5 MiB
	// MaxObjectNodes bounds an object's keys and values: every one takes at
	// least three bytes as JSON, so an object the API server accepts has
	// fewer. The largest Kubeflow object (a CRD) has about 43,000.
	MaxObjectNodes = MaxObjectBytes / 3
	// MaxDepth bounds nesting; the deepest Kubeflow object nests about 30.
	MaxDepth = 256
)

var objectLimits = yamltree.Limits{Bytes: MaxObjectBytes, Nodes: MaxObjectNodes, Depth: MaxDepth}

// aliasBudget is what YAML aliases may add to the whole ResourceList: as
// much again as the input, plus one object. Each object is within its own
// limits, but an anchor in one item may be aliased by thousands.
func aliasBudget(inputBytes int) int {
	return inputBytes + MaxObjectBytes
}

// limitMessage explains a refused object.
func limitMessage(err error) string {
	var le *yamltree.LimitError
	if errors.As(err, &le) && le.What == "bytes" {
		return fmt.Sprintf("%v: the Kubernetes API server accepts at most %d bytes for one object", err, MaxObjectBytes)
	}
	if errors.As(err, &le) && le.What == "nodes" && le.AliasesCount {
		return fmt.Sprintf("%v (an alias bomb?)", err)
	}
	return err.Error()
}
