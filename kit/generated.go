package kit

import (
	"maps"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ObjectMeta is the metadata of an object a function generates. The yaml
// tags keep kubectl's field order for kyaml's yaml.Marshal (NewObject); the
// json tags serve functions that marshal through sigs.k8s.io/yaml, which
// sorts the keys.
type ObjectMeta struct {
	Name        string            `json:"name" yaml:"name"`
	Namespace   string            `json:"namespace,omitempty" yaml:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
}

// Header is what every object a function emits as a struct starts with, in
// kubectl's order; embed it with `yaml:",inline"`.
type Header struct {
	APIVersion string     `json:"apiVersion" yaml:"apiVersion"`
	Kind       string     `json:"kind" yaml:"kind"`
	Metadata   ObjectMeta `json:"metadata" yaml:"metadata"`
}

// The annotations that tell kpt which file an object is written to: the
// current one and the legacy one older readers still use.
var pathAnnotations = [...]string{"internal.config.kubernetes.io/path", "config.kubernetes.io/path"}

// GeneratedMeta is the metadata of an object that function generates: a
// copy of annotations plus the path annotations that give it a file of its
// own, GeneratedFile.
func GeneratedMeta(function, kind, namespace, name string, annotations map[string]string) ObjectMeta {
	file := GeneratedFile(function, kind, namespace, name)
	return ObjectMeta{Name: name, Namespace: namespace, Annotations: WithPath(annotations, file)}
}

// WithPath is a copy of annotations, never nil, with the path annotations
// set to file.
func WithPath(annotations map[string]string, file string) map[string]string {
	a := maps.Clone(annotations)
	if a == nil {
		a = map[string]string{}
	}
	for _, k := range pathAnnotations {
		a[k] = file
	}
	return a
}

// GeneratedFile is the file of a generated object:
// <function>/<kind>[_<namespace>]_<name>.yaml, in lower case.
func GeneratedFile(function, kind, namespace, name string) string {
	file := kind
	if namespace != "" {
		file += "_" + namespace
	}
	return function + "/" + strings.ToLower(file+"_"+name) + ".yaml"
}

// NewObject renders v, a struct with yaml tags, as an object whose fields
// come out in the struct's order.
func NewObject(v any) (*fn.KubeObject, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	return fn.ParseKubeObject(b)
}
