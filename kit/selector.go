package kit

import (
	"fmt"
	"path"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// ObjectRef names objects by group, kind, namespace and name, for configs
// that point at objects which need not be in the bundle (verify's
// externalObjects). Kind, Name and Namespace are shell globs (path.Match);
// a field left empty (Group: nil) matches anything.
type ObjectRef struct {
	// Group is the API group, any version; "" is the core group.
	Group *string `json:"group,omitempty"`
	Kind  string  `json:"kind,omitempty"`
	// Namespace is matched against the namespace the object lives in; a
	// cluster-scoped object has none, so a namespace pattern, even "*",
	// never matches it.
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
}

// Validate reports malformed globs.
func (r ObjectRef) Validate() error {
	return validGlobs(r.Kind, r.Name, r.Namespace)
}

// MatchesID reports whether the object of this identity matches; id's
// namespace is where the object lives ("" when cluster-scoped).
func (r ObjectRef) MatchesID(id ObjectID) bool {
	if r.Group != nil && *r.Group != id.Group {
		return false
	}
	if r.Namespace != "" && id.Namespace == "" {
		return false
	}
	return Glob(r.Kind, id.Kind) && Glob(r.Name, id.Name) && Glob(r.Namespace, id.Namespace)
}

// Selector matches objects for rule-based functions (set-sync-wave rules,
// argocd-apps groups): an ObjectRef's fields plus scope, labels and
// annotations. Every field that is set must match; an empty selector
// matches everything. Label and annotation values are shell globs too; a
// key that is listed must be present.
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

// ref is the selector's group, kind, namespace and name part.
func (s Selector) ref() ObjectRef {
	return ObjectRef{Group: s.Group, Kind: s.Kind, Namespace: s.Namespace, Name: s.Name}
}

// Validate reports malformed globs.
func (s Selector) Validate() error {
	if err := s.ref().Validate(); err != nil {
		return err
	}
	for _, m := range []map[string]string{s.Labels, s.Annotations} {
		for _, v := range m {
			if err := validGlobs(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Matches reports whether the object matches. scope is read only for
// Namespace and ClusterScoped, so it may be nil for a selector that sets
// neither.
func (s Selector) Matches(o *fn.KubeObject, scope *Scope) bool {
	id := ObjectID{GroupKind: GroupKindOf(o), Name: o.GetName()}
	if s.Namespace != "" {
		id.Namespace = scope.Namespace(o)
	}
	if !s.ref().MatchesID(id) {
		return false
	}
	if s.ClusterScoped != nil && *s.ClusterScoped != scope.IsClusterScoped(o) {
		return false
	}
	return mapGlobs(s.Labels, o.GetLabels()) && mapGlobs(s.Annotations, o.GetAnnotations())
}

// Glob reports whether value matches the shell pattern (path.Match); the
// empty pattern matches anything, and a malformed one nothing (Validate
// methods reject those up front).
func Glob(pattern, value string) bool {
	if pattern == "" {
		return true
	}
	ok, _ := path.Match(pattern, value)
	return ok
}

func validGlobs(patterns ...string) error {
	for _, g := range patterns {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("bad pattern %q: %w", g, err)
		}
	}
	return nil
}

func mapGlobs(want, have map[string]string) bool {
	for k, pattern := range want {
		v, ok := have[k]
		if !ok || !Glob(pattern, v) {
			return false
		}
	}
	return true
}

// Ptr returns a pointer to v, for selector literals.
func Ptr[T any](v T) *T { return &v }
