// Package bench measures the functions against the floor (a do-nothing SDK
// function) on the real corpus and on synthetic scale-ups of it.
package bench

import (
	"bytes"
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"
)

// ScaleUp returns the stream with n copies of every namespaced object and
// Namespace, each copy in renamed namespaces (ns-c1, ns-c2, …) with renamed
// objects; cluster-scoped objects (CRDs, ClusterRoles…) appear once, as a
// larger platform would have them.
func ScaleUp(stream []byte, n int) ([]byte, error) {
	nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(stream), OmitReaderAnnotations: true}).Read()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Write(stream)
	for copyIndex := 1; copyIndex < n; copyIndex++ {
		suffix := fmt.Sprintf("-c%d", copyIndex)
		for _, node := range nodes {
			ns := node.GetNamespace()
			isNamespace := node.GetKind() == "Namespace"
			if ns == "" && !isNamespace {
				continue
			}
			c := node.Copy()
			if err := c.SetName(node.GetName() + suffix); err != nil {
				return nil, err
			}
			if ns != "" {
				if err := c.SetNamespace(ns + suffix); err != nil {
					return nil, err
				}
			}
			s, err := c.String()
			if err != nil {
				return nil, err
			}
			out.WriteString("\n---\n")
			out.WriteString(strings.TrimRight(s, "\n"))
		}
	}
	out.WriteString("\n")
	return out.Bytes(), nil
}
