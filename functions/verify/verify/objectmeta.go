package verify

import (
	"cmp"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/api/validation/path"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// nameRules are the kinds whose names the API server validates otherwise
// than as DNS-1123 subdomains (pkg/apis/*/validation of kube-apiserver).
var nameRules = map[kit.GroupKind]apimachineryvalidation.ValidateNameFunc{
	kit.NamespaceKind: apimachineryvalidation.ValidateNamespaceName, // DNS-1123 label
	kit.ServiceKind:   apimachineryvalidation.NameIsDNS1035Label,
	{Group: "rbac.authorization.k8s.io", Kind: "Role"}:               path.ValidatePathSegmentName,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:        path.ValidatePathSegmentName,
	{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}:        path.ValidatePathSegmentName,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}: path.ValidatePathSegmentName,
}

// checkObjectMeta validates metadata as the API server's ValidateObjectMeta
// does on create: field types, name format per kind (DNS-1123 subdomain,
// label for Namespaces, DNS-1035 label for Services, path segment for RBAC),
// namespace format, label and annotation syntax and the 256 KiB annotation
// total, owner references and finalizers. Objects whose metadata fields
// have the wrong type are field-types' (b.items leaves them out).
func checkObjectMeta(b *bundle, r *reporter) error {
	for _, o := range b.items {
		var meta *yaml.Node
		_ = kit.EditRNode(o, func(rn *yaml.RNode) error {
			meta = mapValueNode(rn.YNode(), "metadata")
			return nil
		})
		validateObjectMeta(b, r, o, meta)
	}
	return nil
}

// validateObjectMeta decodes metadata as the API server does (unknown
// fields are errors) and runs its ValidateObjectMeta.
func validateObjectMeta(b *bundle, r *reporter, o *fn.KubeObject, metaNode *yaml.Node) {
	meta, err := objectMetaOf(metaNode)
	if err != nil {
		r.errorf(o, "metadata", "%v", err)
		return
	}
	gk := kit.GroupKindOf(o)
	cluster, known := b.scope.ClusterScoped(gk)
	if cluster && known {
		meta.Namespace = "" // clients drop it for cluster-scoped kinds
	}
	nameFn, ok := nameRules[gk]
	if !ok {
		nameFn = apimachineryvalidation.NameIsDNSSubdomain
	}
	// ValidateObjectMeta ranges over the label and annotation maps: sorted,
	// its errors come out in the same order on every run.
	type metaError struct{ field, body string }
	var errs []metaError
	for _, e := range apimachineryvalidation.ValidateObjectMeta(&meta, meta.Namespace != "", nameFn, field.NewPath("metadata")) {
		errs = append(errs, metaError{e.Field, strings.Join(strings.Fields(e.ErrorBody()), " ")}) // its examples are joined by two spaces
	}
	slices.SortFunc(errs, func(a, b metaError) int { return cmp.Or(cmp.Compare(a.field, b.field), cmp.Compare(a.body, b.body)) })
	for _, e := range errs {
		r.errorf(o, e.field, "%s", e.body)
	}
	if gk == kit.CustomResourceDefinitionKind {
		group, _, _ := o.NestedString("spec", "group")
		plural, _, _ := o.NestedString("spec", "names", "plural")
		if want := plural + "." + group; meta.Name != want {
			r.errorf(o, "metadata.name", "a CustomResourceDefinition must be named <spec.names.plural>.<spec.group>: %q, not %q", want, meta.Name)
		}
	}
}

// objectMetaOf decodes metadata. The common fields, whose types field-types
// has checked, are read from the nodes: going through JSON for every object
// was a third of verify's garbage at 50,000 objects. Anything else (owner
// references, finalizers, unknown fields) is decoded strictly.
func objectMetaOf(n *yaml.Node) (metav1.ObjectMeta, error) {
	var meta metav1.ObjectMeta
	for i := 0; i+1 < len(n.Content); i += 2 {
		v := n.Content[i+1]
		switch n.Content[i].Value {
		case "name":
			meta.Name = v.Value
		case "namespace":
			meta.Namespace = v.Value
		case "generateName":
			meta.GenerateName = v.Value
		case "labels":
			meta.Labels = stringMap(v)
		case "annotations":
			meta.Annotations = stringMap(v)
		default:
			meta = metav1.ObjectMeta{}
			return meta, decodeNode(n, &meta)
		}
	}
	return meta, nil
}

// stringMap reads a mapping of strings (nil for null).
func stringMap(n *yaml.Node) map[string]string {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	m := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		m[n.Content[i].Value] = n.Content[i+1].Value
	}
	return m
}

// decodeNode decodes a YAML node strictly into v through JSON, as the API
// server decodes what kubectl sends.
func decodeNode(n *yaml.Node, v any) error {
	j, err := nodeJSON(n)
	if err != nil {
		return err
	}
	return kit.DecodeStrictJSON(j, v)
}
