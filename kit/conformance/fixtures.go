package conformance

import (
	_ "embed"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

//go:embed testdata/sample.yaml
var sampleItems string

// sampleList is sampleItems as a ResourceList without functionConfig: the
// input of the checks that look at what a function does to the items.
var sampleList = resourceList("", sampleItems, "")

const kptfile = `
---
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: pkg
  labels:
    istio-injection: enabled
pipeline:
  mutators:
  - image: example.com/fn:v1
`

// resourceList wraps a YAML stream of items into a ResourceList with the
// given apiVersion ("" for v1) and functionConfig ("" for none).
func resourceList(apiVersion, items, functionConfig string) []byte {
	rl := corpus.Wrap([]byte(items))
	if apiVersion != "" {
		rl = []byte(strings.Replace(string(rl), "config.kubernetes.io/v1", apiVersion, 1))
	}
	if functionConfig != "" {
		rl = corpus.WithFunctionConfig(rl, functionConfig)
	}
	return rl
}

// withAnnotation sets an annotation on every object of a YAML stream.
func withAnnotation(stream, key, value string) string {
	nodes, err := (&kio.ByteReader{Reader: strings.NewReader(stream), OmitReaderAnnotations: true}).Read()
	if err != nil {
		panic(err)
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := n.PipeE(yaml.SetAnnotation(key, value)); err != nil {
			panic(err)
		}
		b.WriteString("---\n")
		b.WriteString(n.MustString())
	}
	return b.String()
}

// typedConfig is f's typed functionConfig with the given fields.
func typedConfig(f kit.Function, fields string) string {
	return "apiVersion: " + kit.ConfigAPIVersion + "\nkind: " + f.ConfigKind() + "\nmetadata:\n  name: cfg\n" + fields
}
