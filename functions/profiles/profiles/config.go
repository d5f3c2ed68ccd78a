package profiles

import (
	"encoding/json"

	"github.com/kfgitops/kfgitops/kit"
)

// Kind is the typed functionConfig kind.
const Kind = "Profiles"

// Config is the functionConfig: who the users are, how they are grouped, and
// which profiles they own or work in. The zero value declares nothing and
// changes nothing.
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// Users are the people who can be owners or members, by id (the name
	// the rest of the config uses) and e-mail (the identity the ingress
	// sends in the user-id header, and the RBAC user name).
	Users []User `json:"users,omitempty"`
	// Groups name sets of users (and of other groups) to give access to
	// together. They are expanded here: the cluster sees one RoleBinding and
	// one AuthorizationPolicy per user, as kfam makes them.
	Groups []Group `json:"groups,omitempty"`
	// Profiles are the user namespaces to render.
	Profiles []Profile `json:"profiles,omitempty"`
	// ProfilesConfig is the profile controller's settings ConfigMap, whose
	// principals, user-id header and prefix kfam reads from the same env; a
	// ConfigMap of that namespace and generator name in the bundle is read.
	// name "" uses the defaults of kfam and the profile controller.
	ProfilesConfig ConfigMapName `json:"profilesConfig"`
	// ReservedNamespaces are names no profile may take (shell globs), on top
	// of every namespace the bundle creates or puts objects in.
	ReservedNamespaces []string `json:"reservedNamespaces"`
}

// User is a person.
type User struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

// Group is a named set of users.
type Group struct {
	Name string `json:"name"`
	// Users are user ids.
	Users []string `json:"users,omitempty"`
	// Groups are names of groups whose users belong to this one too.
	Groups []string `json:"groups,omitempty"`
}

// Profile is one user namespace.
type Profile struct {
	// Name is the Profile's and the namespace's name.
	Name string `json:"name"`
	// Owner is the user id of the owner (the profile controller binds them
	// to kubeflow-admin and writes ns-owner-access-istio for them).
	Owner string `json:"owner"`
	// Members get view or edit access, by user or by group.
	Members []Member `json:"members,omitempty"`
	// ResourceQuotaSpec is the Profile's spec.resourceQuotaSpec (a
	// Kubernetes ResourceQuotaSpec): the profile controller makes it the
	// namespace's ResourceQuota kf-resource-quota.
	ResourceQuotaSpec json.RawMessage `json:"resourceQuotaSpec,omitempty"`
	// NamespaceLabels and NamespaceAnnotations go on the Namespace.
	NamespaceLabels      map[string]string `json:"namespaceLabels,omitempty"`
	NamespaceAnnotations map[string]string `json:"namespaceAnnotations,omitempty"`
	// State is "active" (default) or "retire".
	State string `json:"state,omitempty"`
}

// States of a declared profile.
const (
	// StateActive renders the Profile, its Namespace and its members' access.
	StateActive = "active"
	// StateRetire renders only the Namespace: the Profile and every member's
	// access leave the output (Argo CD prunes them), the namespace and its
	// data stay until a person deletes them.
	StateRetire = "retire"
)

// Access a member is given in a profile: kfam's role names, which it writes
// into the RoleBinding's role annotation and binds to ClusterRole
// kubeflow-<role>.
const (
	RoleView = "view"
	RoleEdit = "edit"
)

// Member gives a user, or every user of a group, access to a profile.
type Member struct {
	User  string `json:"user,omitempty"`
	Group string `json:"group,omitempty"`
	// Role is "view" or "edit".
	Role string `json:"role"`
}

// ConfigMapName names a ConfigMap by namespace and configMapGenerator name
// (kustomize's hash suffix is matched).
type ConfigMapName struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// Defaults is the configuration for upstream Kubeflow: no profile declared,
// kfam's settings read from kubeflow/profiles-config.
func Defaults() Config {
	return Config{
		ProfilesConfig: ConfigMapName{Namespace: "kubeflow", Name: "profiles-config"},
		// kubeflow-system is kgateway-route's Gateway namespace, which it
		// adds after this function has run.
		ReservedNamespaces: []string{"default", "kube-*", "kubeflow-system"},
	}
}

// Validate checks the config on its own; what depends on the bundle (a
// profile named like a platform namespace) is checked by Run.
func (c *Config) Validate() error {
	_, err := resolve(c)
	return err
}
