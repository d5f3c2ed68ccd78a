package verify

import (
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// metadataTypes are the types of the metadata fields the API server decodes:
// a field of another type makes it refuse the object.
var metadataTypes = map[string]nodeType{
	"name": stringType, "namespace": stringType, "generateName": stringType, "uid": stringType,
	"labels": stringMapType, "annotations": stringMapType,
	"finalizers": listType, "ownerReferences": listType, "managedFields": listType,
}

// podSpecTypes are the pod spec fields every check that reads pod templates
// relies on.
var podSpecTypes = map[string]nodeType{"containers": listType, "initContainers": listType, "ephemeralContainers": listType}

// shapeProblem is a well-known field of the wrong type.
type shapeProblem struct {
	object         *fn.KubeObject
	field, problem string
}

// shapeProblems lists o's well-known fields of the wrong type: metadata and
// its fields, spec (a mapping in every Kubernetes kind and CRD of the
// bundle), and the metadata and container lists of its pod templates. An
// object with such a field is refused by the API server; the other checks
// do not look at it.
func shapeProblems(o *fn.KubeObject, table []kit.PodTemplatePath) []shapeProblem {
	var out []shapeProblem
	add := func(field, problem string) { out = append(out, shapeProblem{o, field, problem}) }
	gk := kit.GroupKindOf(o)
	_ = kit.EditRNode(o, func(rn *yaml.RNode) error {
		meta := mapValueNode(rn.YNode(), "metadata")
		if meta == nil || meta.Kind != yaml.MappingNode {
			add("metadata", "must be a mapping, not "+describeNode(meta))
			return nil
		}
		fieldTypes(meta, "metadata", metadataTypes, add)
		if _, problem := mappingType.check(mapValueNode(rn.YNode(), "spec")); problem != "" {
			add("spec", problem)
			return nil
		}
		for _, t := range kit.PodTemplates(rn, gk, table) {
			tmpl := t.Template.YNode()
			if t.Path != "" {
				if _, problem := mappingType.check(tmpl); problem != "" {
					add(t.Path, problem)
					continue
				}
				if m := mapValueNode(tmpl, "metadata"); m != nil {
					if _, problem := mappingType.check(m); problem != "" {
						add(t.FieldPath("metadata"), problem)
					} else {
						fieldTypes(m, t.FieldPath("metadata"), metadataTypes, add)
					}
				}
			}
			spec := mapValueNode(tmpl, "spec")
			if _, problem := mappingType.check(spec); problem != "" {
				add(t.FieldPath("spec"), problem)
			} else if spec != nil {
				fieldTypes(spec, t.FieldPath("spec"), podSpecTypes, add)
			}
		}
		return nil
	})
	return out
}

// fieldTypes reports the fields of mapping m whose type is not the one the
// table gives.
func fieldTypes(m *yaml.Node, path string, types map[string]nodeType, add func(field, problem string)) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		key := m.Content[i].Value
		if want, ok := types[key]; ok {
			if sub, problem := want.check(m.Content[i+1]); problem != "" {
				add(path+"."+key+sub, problem)
			}
		}
	}
}

// checkFieldTypes reports the well-known fields of the wrong type.
func checkFieldTypes(b *bundle, r *reporter) error {
	for _, p := range b.misshapen {
		r.errorf(p.object, p.field, "%s", p.problem)
	}
	return nil
}
