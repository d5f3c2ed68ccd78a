package kit

import (
	"fmt"

	"github.com/kfgitops/kfgitops/kit/yamltree"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// Limits on a functionConfig, measured with YAML aliases expanded before it
// is decoded: what one ConfigMap holds (1 MiB), and entries far beyond any
// real config (the Kubeflow pipeline's configs have a few hundred) that keep
// every function's work on its config small.
const (
	MaxConfigBytes = 1 << 20
	MaxConfigNodes = 1 << 16
	MaxConfigDepth = 64
)

// ConfigLimits are the limits above.
var ConfigLimits = yamltree.Limits{Bytes: MaxConfigBytes, Nodes: MaxConfigNodes, Depth: MaxConfigDepth}

// CheckConfigSize refuses a functionConfig over ConfigLimits, or with
// duplicate keys or malformed merge keys, without decoding it.
func CheckConfigSize(fc *fn.KubeObject) error {
	return EditRNode(fc, func(rn *kyaml.RNode) error {
		if _, err := yamltree.Check(rn.YNode(), ConfigLimits); err != nil {
			return fmt.Errorf("functionConfig: %w", err)
		}
		return nil
	})
}

// configMapData reads a ConfigMap functionConfig's data: a mapping whose
// values are scalars (written quoted or not, as kpt users do).
func configMapData(fc *fn.KubeObject) (map[string]string, error) {
	data := map[string]string{}
	err := EditRNode(fc, func(rn *kyaml.RNode) error {
		n := rn.Field("data")
		if n == nil || n.Value.YNode().ShortTag() == kyaml.NodeTagNull {
			return nil
		}
		m := n.Value.YNode()
		if m.Kind != kyaml.MappingNode {
			return fmt.Errorf("data must be a mapping of strings, got %s", yamltree.KindOf(m))
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if v.Kind != kyaml.ScalarNode {
				return fmt.Errorf("data.%s must be a string, got %s", k.Value, yamltree.KindOf(v))
			}
			data[k.Value] = v.Value
		}
		return nil
	})
	return data, err
}

// MaxConfigTextBytes bounds the YAML text of a functionConfig, so that one
// over MaxConfigBytes by far is refused before it is parsed: sixteen times
// what it may hold leaves room for any indentation and comments.
const MaxConfigTextBytes = 16 * MaxConfigBytes
