package argocdapps

import (
	"path"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
)

// Directories of the output tree that are not groups.
const (
	// AppsDir holds the group Applications; the root Application syncs it.
	AppsDir = "apps"
	// BootstrapDir holds what is applied once by hand: the root Application
	// and the argocd-cm health customization.
	BootstrapDir = "bootstrap"
)

// The annotations that tell kpt which file an object is written to: the
// current one and the legacy one older tools still read.
var (
	pathAnnotations  = []string{kioutil.PathAnnotation, kioutil.LegacyPathAnnotation} //nolint:staticcheck // legacy readers
	indexAnnotations = []string{kioutil.IndexAnnotation, kioutil.LegacyIndexAnnotation}
)

// pathNamer lays objects out as <dir>/<kind>[_<namespace>]_<name>.yaml,
// lower-case. A kind that two API groups share in the bundle (Istio's and
// Gateway API's Gateway) is qualified with its group.
type pathNamer struct {
	scope     *kit.Scope
	ambiguous map[string]bool // lower-case kinds served by more than one group
}

func newPathNamer(objs fn.KubeObjects, scope *kit.Scope) *pathNamer {
	groupsOfKind := map[string]map[string]bool{}
	for _, o := range objs {
		kind := strings.ToLower(o.GetKind())
		if groupsOfKind[kind] == nil {
			groupsOfKind[kind] = map[string]bool{}
		}
		groupsOfKind[kind][kit.GroupOf(o.GetAPIVersion())] = true
	}
	p := &pathNamer{scope: scope, ambiguous: map[string]bool{}}
	for kind, groups := range groupsOfKind {
		p.ambiguous[kind] = len(groups) > 1
	}
	return p
}

// path is the file of an object inside dir.
func (p *pathNamer) path(dir string, o *fn.KubeObject) string {
	kind := strings.ToLower(o.GetKind())
	if group := kit.GroupOf(o.GetAPIVersion()); p.ambiguous[kind] && group != "" {
		kind += "." + group
	}
	parts := []string{kind}
	if ns := p.scope.Namespace(o); ns != "" {
		parts = append(parts, ns)
	}
	parts = append(parts, o.GetName())
	return path.Join(dir, fileSafe(strings.Join(parts, "_"))+".yaml")
}

// fileSafe lower-cases and replaces what does not belong in a portable file
// name (RBAC names carry ':').
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			return r
		}
		return '-'
	}, s)
}

// setPath points the object at its own file (index 0 of it).
func setPath(o *fn.KubeObject, p string) error {
	for _, a := range pathAnnotations {
		if err := o.SetAnnotation(a, p); err != nil {
			return kit.Errorf(o, "metadata.annotations", "%v", err)
		}
	}
	annotations := o.GetAnnotations()
	for _, a := range indexAnnotations {
		if v, ok := annotations[a]; ok && v != "0" {
			if err := o.SetAnnotation(a, "0"); err != nil {
				return kit.Errorf(o, "metadata.annotations", "%v", err)
			}
		}
	}
	return nil
}
