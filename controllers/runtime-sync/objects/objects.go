// Package objects is how runtime-sync writes what it derives: every object
// it writes carries the managed-by label and a controller ownerReference to
// its source, it never writes over an object without that label, and it
// prunes what a source no longer derives.
package objects

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

const (
	// ManagedByLabel marks every object runtime-sync writes; it reads,
	// updates and deletes only objects that carry it.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	// ManagedBy is its value.
	ManagedBy = "kfgitops-runtime-sync"
	// FieldManager is the server-side apply field manager.
	FieldManager = "runtime-sync"
)

// FromKubeObject turns a converter's output object into what runtime-sync
// writes: the render-time annotations (config.kubernetes.io/*, which only
// kpt and kustomize read) dropped, the managed-by label set, and owner as
// its controller. blockOwnerDeletion is not set: setting it needs update
// rights on the owner's finalizers, which the controller has no reason to
// hold.
func FromKubeObject(o *fn.KubeObject, owner *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	raw, err := yaml.YAMLToJSON([]byte(o.String()))
	if err != nil {
		return nil, fmt.Errorf("%s %s/%s: %w", o.GetKind(), o.GetNamespace(), o.GetName(), err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("%s %s/%s: %w", o.GetKind(), o.GetNamespace(), o.GetName(), err)
	}
	annotations := u.GetAnnotations()
	for k := range annotations {
		if strings.HasPrefix(k, "config.kubernetes.io/") || strings.HasPrefix(k, "internal.config.kubernetes.io/") {
			delete(annotations, k)
		}
	}
	u.SetAnnotations(annotations)
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[ManagedByLabel] = ManagedBy
	u.SetLabels(labels)
	controller := true
	u.SetOwnerReferences([]metav1.OwnerReference{{
		APIVersion: owner.GetAPIVersion(), Kind: owner.GetKind(), Name: owner.GetName(), UID: owner.GetUID(), Controller: &controller,
	}})
	return u, nil
}

// ToKubeObject turns an object read from the API server into the form the
// converters take. managedFields are dropped: they are the server's
// bookkeeping, not the object.
func ToKubeObject(u *unstructured.Unstructured) (*fn.KubeObject, error) {
	c := u.DeepCopy()
	c.SetManagedFields(nil)
	raw, err := json.Marshal(c.Object)
	if err != nil {
		return nil, fmt.Errorf("%s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	o, err := fn.ParseKubeObject(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	return o, nil
}

// Managed reports whether runtime-sync wrote o.
func Managed(o metav1.Object) bool { return o.GetLabels()[ManagedByLabel] == ManagedBy }

// DeclaredInGit reports whether o was rendered by the profiles function (a
// declared profile's Namespace, its members' policies, the waypoint and the
// policies ambient-mesh migrated for them): Argo CD applies those, so the
// controller neither writes them nor derives anything from them.
func DeclaredInGit(o metav1.Object) bool {
	return o.GetLabels()[ManagedByLabel] == kit.ManagedByProfiles
}

// Source is the object a derived object is derived from.
type Source struct {
	GroupKind schema.GroupKind
	Namespace string
	Name      string
}

func (s Source) String() string { return s.GroupKind.Kind + " " + s.Namespace + "/" + s.Name }

// ControlledBy reports whether o's controller is a source of that group,
// kind and name (any version, and any UID: an object left by a deleted
// source of the same name is the new source's to replace).
func ControlledBy(o metav1.Object, s Source) bool {
	if o.GetNamespace() != s.Namespace {
		return false
	}
	ref := metav1.GetControllerOfNoCopy(o)
	if ref == nil {
		return false
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	return err == nil && gv.Group == s.GroupKind.Group && ref.Kind == s.GroupKind.Kind && ref.Name == s.Name
}

// Identity is "Kind namespace/name" for messages.
func Identity(o *unstructured.Unstructured) string {
	return o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
}

// Empty is an empty object of a kind, for reads, watches and cache options.
func Empty(gvk schema.GroupVersionKind) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	return u
}
