package verify

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/functions/verify/crds"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/crdschema"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// checkCRDSchemas validates every custom resource against its CRD with the
// apiserver's own validation code. The bundle's CRDs win over the embedded
// ones (Gateway API, kgateway, Argo CD): they are what the cluster gets.
// Only CRDs of kinds the bundle uses are compiled.
func checkCRDSchemas(b *bundle, r *reporter) error {
	used := map[kit.GroupKind]bool{}
	for gk := range b.byKind {
		used[gk] = true
	}
	defs := map[kit.GroupKind]*apiextv1.CustomResourceDefinition{}
	embedded, err := embeddedCRDs(used)
	if err != nil {
		return fmt.Errorf("embedded CRDs: %w", err)
	}
	for gk, crd := range embedded {
		defs[gk] = crd
	}
	for gk, o := range b.crds {
		if !used[gk] {
			continue
		}
		var crd apiextv1.CustomResourceDefinition
		if err := kit.As(&o.SubObject, &crd); err != nil {
			return kit.Errorf(o, "", "decoding CRD: %v", err)
		}
		defs[gk] = &crd
	}
	// Compile only the versions objects use: schemas and CEL programs of
	// the other versions are most of the cost.
	usedVersions := map[kit.GroupKind]map[string]bool{}
	for gk, objs := range b.byKind {
		for _, o := range objs {
			if usedVersions[gk] == nil {
				usedVersions[gk] = map[string]bool{}
			}
			usedVersions[gk][o.GetAPIVersion()] = true
		}
	}
	v := crdschema.New()
	for _, gk := range sortedGroupKinds(defs) {
		if err := v.AddCRD(onlyVersions(defs[gk], usedVersions[gk])); err != nil {
			if o := b.crds[gk]; o != nil {
				r.errorf(o, "spec.versions", "cannot build the validation schema: %v", err)
				continue
			}
			return err
		}
	}
	for _, o := range b.items {
		gk := kit.GroupKindOf(o)
		crd, ok := defs[gk]
		if !ok {
			continue
		}
		if !v.Knows(o.GetAPIVersion(), o.GetKind()) {
			r.errorf(o, "apiVersion", "%s is not a version with a schema in CRD %s (versions: %s)", o.GetAPIVersion(), crd.Name, versions(crd))
			continue
		}
		if !served(crd, o.GetAPIVersion()) {
			r.errorf(o, "apiVersion", "%s is not served by CRD %s (served: %s)", o.GetAPIVersion(), crd.Name, versions(crd))
			continue
		}
		errs, _, err := v.ValidateYAML([]byte(o.String()))
		if err != nil {
			return kit.Errorf(o, "", "%v", err)
		}
		for _, e := range errs {
			r.errorf(o, e.Field, "%s", e.Message)
		}
	}
	return nil
}

// embeddedCRDs decodes the embedded CRDs of the used kinds.
func embeddedCRDs(used map[kit.GroupKind]bool) (map[kit.GroupKind]*apiextv1.CustomResourceDefinition, error) {
	files, err := crds.All()
	if err != nil {
		return nil, err
	}
	out := map[kit.GroupKind]*apiextv1.CustomResourceDefinition{}
	for _, f := range files {
		for _, doc := range bytes.Split(f.Data, []byte("\n---")) {
			gk, ok := crdKind(doc)
			if !ok || !used[gk] {
				continue
			}
			var crd apiextv1.CustomResourceDefinition
			if err := yaml.Unmarshal(doc, &crd); err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			out[gk] = &crd
		}
	}
	return out, nil
}

// crdKind reads a CRD's group and kind without decoding its (large) schema:
// the first `group:` and `kind:` lines at the indentation controller-gen
// writes under spec and spec.names.
func crdKind(doc []byte) (kit.GroupKind, bool) {
	if !bytes.Contains(doc, []byte("\nkind: CustomResourceDefinition")) {
		return kit.GroupKind{}, false
	}
	var gk kit.GroupKind
	for _, line := range strings.Split(string(doc), "\n") {
		switch {
		case gk.Group == "" && strings.HasPrefix(line, "  group: "):
			gk.Group = strings.TrimSpace(strings.TrimPrefix(line, "  group: "))
		case gk.Kind == "" && strings.HasPrefix(line, "    kind: "):
			gk.Kind = strings.TrimSpace(strings.TrimPrefix(line, "    kind: "))
		}
		if gk.Group != "" && gk.Kind != "" {
			return gk, true
		}
	}
	return gk, false
}

// onlyVersions is a shallow copy of crd holding only the given apiVersions.
func onlyVersions(crd *apiextv1.CustomResourceDefinition, apiVersions map[string]bool) *apiextv1.CustomResourceDefinition {
	trimmed := *crd
	trimmed.Spec.Versions = nil
	for _, v := range crd.Spec.Versions {
		if apiVersions[crd.Spec.Group+"/"+v.Name] {
			trimmed.Spec.Versions = append(trimmed.Spec.Versions, v)
		}
	}
	return &trimmed
}

func served(crd *apiextv1.CustomResourceDefinition, apiVersion string) bool {
	for _, v := range crd.Spec.Versions {
		if crd.Spec.Group+"/"+v.Name == apiVersion {
			return v.Served
		}
	}
	return false
}

func versions(crd *apiextv1.CustomResourceDefinition) string {
	var vs []string
	for _, v := range crd.Spec.Versions {
		if v.Served {
			vs = append(vs, v.Name)
		}
	}
	return strings.Join(vs, ", ")
}

func sortedGroupKinds[V any](m map[kit.GroupKind]V) []kit.GroupKind {
	out := make([]kit.GroupKind, 0, len(m))
	for gk := range m {
		out = append(out, gk)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
