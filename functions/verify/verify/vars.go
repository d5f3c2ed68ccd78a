package verify

import (
	"regexp"
	"strconv"

	"github.com/kfgitops/kfgitops/kit"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// kustomizeVar is a kustomize var reference, $(name): kustomize replaces the
// vars a kustomization declares and leaves any other reference as written.
var kustomizeVar = regexp.MustCompile(`\$\([A-Za-z_][A-Za-z0-9_.-]*\)`)

// expandedByKubernetes are the fields in which Kubernetes itself expands
// $(VAR) references to container environment variables.
var expandedByKubernetes = map[string]bool{"command": true, "args": true, "value": true, "subPathExpr": true}

// payloadKinds hold data that is not an object's own configuration: templates
// and files where $(...) is the payload's own syntax.
var payloadKinds = map[kit.GroupKind]bool{kit.CustomResourceDefinitionKind: true, kit.ConfigMapKind: true, {Kind: "Secret"}: true}

// checkKustomizeVars reports unreplaced kustomize vars: in a name or
// namespace (an error: the API server refuses the name, or the object lands
// in a namespace named after the var), and as warnings in other string
// fields, except where Kubernetes expands $(VAR) itself (container command,
// args, env values, subPathExpr) and in payloads (CRD schemas, ConfigMap
// and Secret data).
func checkKustomizeVars(b *bundle, r *reporter) error {
	for _, o := range b.items {
		for _, f := range []string{"name", "namespace"} {
			if v, _, _ := o.NestedString("metadata", f); kustomizeVar.MatchString(v) {
				r.errorf(o, "metadata."+f, "unreplaced kustomize var %s: no kustomization declared it in vars (or replacements)", kustomizeVar.FindString(v))
			}
		}
		if payloadKinds[kit.GroupKindOf(o)] {
			continue
		}
		var found []varUse
		_ = kit.EditRNode(o, func(rn *yaml.RNode) error {
			found = findVars(rn.YNode(), "", "", nil)
			return nil
		})
		for _, u := range found {
			if u.field == "metadata.name" || u.field == "metadata.namespace" {
				continue
			}
			r.warnf(o, u.field, "unreplaced kustomize var %s", u.ref)
		}
	}
	return nil
}

type varUse struct{ field, ref string }

// findVars lists the var references of the string scalars under n; key is
// the mapping key n is the value of (the list's key for list items).
func findVars(n *yaml.Node, key, field string, found []varUse) []varUse {
	switch n.Kind {
	case yaml.ScalarNode:
		if !expandedByKubernetes[key] && isString(n) {
			if ref := kustomizeVar.FindString(n.Value); ref != "" {
				found = append(found, varUse{field, ref})
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			path := k
			if field != "" {
				path = field + "." + k
			}
			found = findVars(n.Content[i+1], k, path, found)
		}
	case yaml.SequenceNode:
		for i, e := range n.Content {
			found = findVars(e, key, field+"["+strconv.Itoa(i)+"]", found)
		}
	}
	return found
}
