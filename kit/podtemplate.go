package kit

import (
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// PodTemplatePath says where objects of one group/kind embed pod templates.
// Path is dot-separated; a segment ending in "[]" is a list whose every
// element is followed; the empty path means the object is itself a Pod.
type PodTemplatePath struct {
	Group string `json:"group,omitempty"`
	Kind  string `json:"kind"`
	Path  string `json:"path"`
}

// BuiltinPodTemplatePaths are the Kubernetes workload kinds.
var BuiltinPodTemplatePaths = []PodTemplatePath{
	{"", "Pod", ""},
	{"", "PodTemplate", "template"},
	{"", "ReplicationController", "spec.template"},
	{GroupApps, "Deployment", "spec.template"},
	{GroupApps, "StatefulSet", "spec.template"},
	{GroupApps, "DaemonSet", "spec.template"},
	{GroupApps, "ReplicaSet", "spec.template"},
	{GroupBatch, "Job", "spec.template"},
	{GroupBatch, "CronJob", "spec.jobTemplate.spec.template"},
}

// PodTemplate is one pod template inside an object, and its field path.
type PodTemplate struct {
	// Template is the template mapping ({metadata, spec}); for a Pod, the
	// object itself.
	Template *yaml.RNode
	// Path is the template's field path: "" for a Pod, else for example
	// "spec.jobTemplate.spec.template".
	Path string
}

// FieldPath joins the template path with a field below it, for results.
func (t PodTemplate) FieldPath(field string) string {
	if t.Path == "" {
		return field
	}
	return t.Path + "." + field
}

// PodTemplates returns every pod template an object of kind gk embeds,
// following the first table entry for gk. Parts of the path that are absent
// or of the wrong YAML type are skipped, not errors: this reads other
// people's manifests.
func PodTemplates(rn *yaml.RNode, gk GroupKind, table []PodTemplatePath) []PodTemplate {
	for _, entry := range table {
		if entry.Group != gk.Group || entry.Kind != gk.Kind {
			continue
		}
		var out []PodTemplate
		var segments []string
		if entry.Path != "" {
			segments = strings.Split(entry.Path, ".")
		}
		walkPath(rn.YNode(), segments, "", func(n *yaml.Node, path string) {
			out = append(out, PodTemplate{Template: yaml.NewRNode(n), Path: path})
		})
		return out
	}
	return nil
}

func walkPath(n *yaml.Node, segments []string, prefix string, visit func(*yaml.Node, string)) {
	if n.Kind != yaml.MappingNode {
		return
	}
	if len(segments) == 0 {
		visit(n, prefix)
		return
	}
	name, isList := strings.CutSuffix(segments[0], "[]")
	if prefix != "" {
		prefix += "."
	}
	value := mapValue(n, name)
	switch {
	case value == nil:
	case isList && value.Kind == yaml.SequenceNode:
		for i, e := range value.Content {
			walkPath(e, segments[1:], prefix+name+"["+strconv.Itoa(i)+"]", visit)
		}
	case !isList:
		walkPath(value, segments[1:], prefix+name, visit)
	}
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
