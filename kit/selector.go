package kit

import (
	"fmt"
	"path"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Selector matches objects for rule-based functions (set-sync-wave rules,
// argocd-apps groups). Every field that is set must match; an empty selector
// matches everything. Kind, Name, Namespace and label/annotation values are
// shell globs (path.Match).
type Selector struct {
	// Group is the API group, any version; "" is the core group. Unset: any.
	Group *string `json:"group,omitempty"`
	Kind  string  `json:"kind,omitempty"`
	Name  string  `json:"name,omitempty"`
	// Namespace is matched against the namespace the object really lives in
	// (cluster-scoped objects have none, whatever metadata.namespace says).
	Namespace string `json:"namespace,omitempty"`
	// ClusterScoped, when set, matches on the object's scope.
	ClusterScoped *bool             `json:"clusterScoped,omitempty"`
	Labels        map[string]string `json:"labels,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// Validate reports malformed globs.
func (s Selector) Validate() error {
	globs := []string{s.Kind, s.Name, s.Namespace}
	for _, v := range s.Labels {
		globs = append(globs, v)
	}
	for _, v := range s.Annotations {
		globs = append(globs, v)
	}
	for _, g := range globs {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("bad pattern %q: %w", g, err)
		}
	}
	return nil
}

// Matches reports whether the object matches.
func (s Selector) Matches(o *fn.KubeObject, scope *Scope) bool {
	if s.Group != nil && *s.Group != GroupOf(o.GetAPIVersion()) {
		return false
	}
	if !glob(s.Kind, o.GetKind()) || !glob(s.Name, o.GetName()) {
		return false
	}
	if s.ClusterScoped != nil && *s.ClusterScoped != scope.IsClusterScoped(o) {
		return false
	}
	if s.Namespace != "" {
		ns := scope.Namespace(o)
		if ns == "" || !glob(s.Namespace, ns) {
			return false
		}
	}
	return mapGlobs(s.Labels, o.GetLabels()) && mapGlobs(s.Annotations, o.GetAnnotations())
}

func glob(pattern, value string) bool {
	if pattern == "" {
		return true
	}
	ok, _ := path.Match(pattern, value)
	return ok
}

func mapGlobs(want, have map[string]string) bool {
	for k, pattern := range want {
		v, ok := have[k]
		if !ok || !glob(pattern, v) {
			return false
		}
	}
	return true
}

// Ptr returns a pointer to v, for selector literals.
func Ptr[T any](v T) *T { return &v }
