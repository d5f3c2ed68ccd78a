package profiles

import (
	"encoding/json"
	"maps"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The rendered objects, as structs so that their fields come out in the
// order kubectl shows them.

type subject struct {
	APIGroup string `yaml:"apiGroup"`
	Kind     string `yaml:"kind"`
	Name     string `yaml:"name"`
}

type profileObject struct {
	kit.Header `yaml:",inline"`
	Spec       struct {
		Owner             owner `yaml:"owner"`
		ResourceQuotaSpec any   `yaml:"resourceQuotaSpec,omitempty"`
	} `yaml:"spec"`
}

type owner struct {
	Kind string `yaml:"kind"`
	Name string `yaml:"name"`
}

type roleBindingObject struct {
	kit.Header `yaml:",inline"`
	RoleRef    subject   `yaml:"roleRef"`
	Subjects   []subject `yaml:"subjects"`
}

type policyRule struct {
	From []policyFrom      `yaml:"from"`
	When []policyCondition `yaml:"when"`
}

type policyFrom struct {
	Source struct {
		Principals []string `yaml:"principals"`
	} `yaml:"source"`
}

type policyCondition struct {
	Key    string   `yaml:"key"`
	Values []string `yaml:"values"`
}

type authorizationPolicyObject struct {
	kit.Header `yaml:",inline"`
	Spec       struct {
		Rules []policyRule `yaml:"rules"`
	} `yaml:"spec"`
}

const rbacGroup = "rbac.authorization.k8s.io"

// meta is the metadata of a rendered object: the marker, and the file kpt
// writes it to.
func meta(kind, ns, name string, labels, annotations map[string]string) kit.ObjectMeta {
	m := kit.GeneratedMeta(FunctionName, kind, ns, name, annotations)
	m.Labels = maps.Clone(labels)
	if m.Labels == nil {
		m.Labels = map[string]string{}
	}
	m.Labels[ManagedByLabel] = ManagedBy
	return m
}

// newNamespace is the namespace as the profile controller creates it (its
// owner annotation, and the injection label it sets on creation only: the
// mesh functions after this one take it from there) with the declared labels
// and annotations, and what keeps Argo CD from ever deleting it.
func newNamespace(p resolvedProfile) (*fn.KubeObject, error) {
	labels := map[string]string{injectionLabel: "enabled"}
	maps.Copy(labels, p.NamespaceLabels)
	annotations := maps.Clone(p.NamespaceAnnotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[ownerAnnotation] = p.owner.Email
	annotations[argocd.SyncOptionsAnnotation] = survive
	h := kit.Header{APIVersion: "v1", Kind: "Namespace", Metadata: meta("Namespace", "", p.Name, labels, annotations)}
	return kit.NewObject(h)
}

func newProfile(p resolvedProfile) (*fn.KubeObject, error) {
	var o profileObject
	o.Header = kit.Header{APIVersion: "kubeflow.org/v1", Kind: "Profile", Metadata: meta("Profile", "", p.Name, nil, nil)}
	o.Spec.Owner = owner{Kind: "User", Name: p.owner.Email}
	if len(p.ResourceQuotaSpec) > 0 && string(p.ResourceQuotaSpec) != "null" {
		if err := json.Unmarshal(p.ResourceQuotaSpec, &o.Spec.ResourceQuotaSpec); err != nil {
			return nil, err
		}
	}
	return kit.NewObject(o)
}

func newRoleBinding(ns string, g grant) (*fn.KubeObject, error) {
	name := BindingName(g.user.Email, g.role)
	var o roleBindingObject
	o.Header = kit.Header{APIVersion: rbacGroup + "/v1", Kind: "RoleBinding",
		Metadata: meta("RoleBinding", ns, name, nil, map[string]string{userAnnotation: g.user.Email, roleAnnotation: g.role})}
	o.RoleRef = subject{APIGroup: rbacGroup, Kind: "ClusterRole", Name: "kubeflow-" + g.role}
	o.Subjects = []subject{{APIGroup: rbacGroup, Kind: "User", Name: g.user.Email}}
	return kit.NewObject(o)
}

// newAuthorizationPolicy is kfam's policy for a contributor: requests that
// come through the ingress gateway or the KFP UI carrying the user's id.
func newAuthorizationPolicy(ns string, g grant, s kfamSettings) (*fn.KubeObject, error) {
	name := BindingName(g.user.Email, g.role)
	var o authorizationPolicyObject
	o.Header = kit.Header{APIVersion: "security.istio.io/v1", Kind: "AuthorizationPolicy",
		Metadata: meta("AuthorizationPolicy", ns, name, nil, map[string]string{userAnnotation: g.user.Email, roleAnnotation: g.role})}
	var from policyFrom
	from.Source.Principals = []string{s.ingressPrincipal, s.kfpUIPrincipal}
	r := policyRule{From: []policyFrom{from}}
	r.When = []policyCondition{{Key: "request.headers[" + s.userIDHeader + "]", Values: []string{s.userIDPrefix + g.user.Email}}}
	o.Spec.Rules = []policyRule{r}
	return kit.NewObject(o)
}
