// Package bench measures the functions against the floor (a do-nothing SDK
// function) on the real corpus and on synthetic scale-ups of it.
package bench

import (
	"bytes"
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ScaleUp returns the stream with n copies of every object: copy k of a
// namespaced object lives in namespace <ns>-c<k> under name <name>-c<k>; a
// cluster-scoped one is renamed <name>-c<k>, and a CRD defines its kind in
// group c<k>.<group> so that the copies stay distinct APIs. The result is n
// times the input's size (the Kubeflow render is mostly CRD schemas).
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
			c := node.Copy()
			name := node.GetName() + suffix
			if node.GetKind() == "CustomResourceDefinition" {
				group, err := c.Pipe(yaml.Lookup("spec", "group"))
				if err != nil || group == nil {
					return nil, fmt.Errorf("CRD %s: no spec.group", node.GetName())
				}
				group.YNode().Value = fmt.Sprintf("c%d.%s", copyIndex, group.YNode().Value)
				plural, _ := c.Pipe(yaml.Lookup("spec", "names", "plural"))
				if plural != nil {
					name = plural.YNode().Value + "." + group.YNode().Value
				}
			}
			if err := c.SetName(name); err != nil {
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
