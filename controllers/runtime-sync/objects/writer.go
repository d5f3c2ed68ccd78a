package objects

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Writer writes and prunes the objects derived from sources.
type Writer struct {
	// Client reads from the cache (which holds only managed objects of
	// Kinds) and writes to the API server.
	Client client.Client
	// APIReader reads from the API server: an object the cache does not
	// hold may exist without the managed-by label.
	APIReader client.Reader
	// Kinds are every kind a source may derive, at the version written.
	Kinds []schema.GroupVersionKind
}

// ErrNotManaged is returned when a derived object's name is taken by an
// object that runtime-sync does not manage, or derives from another source.
var ErrNotManaged = errors.New("exists and is not runtime-sync's to change")

// Outcome is what a Sync or Delete changed.
type Outcome struct {
	Written []string // "Kind namespace/name" created or changed
	Deleted []string
}

// Sync makes the objects derived from s exactly desired: each is applied
// (server-side apply, so that an unchanged object is not written and its
// resourceVersion does not move), and every other object derived from s is
// deleted. An object in the way that is not s's is not touched: Sync stops
// with ErrNotManaged before writing anything.
func (w *Writer) Sync(ctx context.Context, s Source, desired []*unstructured.Unstructured) (Outcome, error) {
	var out Outcome
	current := map[string]string{} // identity → resourceVersion of s's objects
	for _, d := range desired {
		existing, err := w.get(ctx, d)
		if err != nil {
			return out, err
		}
		if existing == nil {
			continue
		}
		if !Managed(existing) || !ControlledBy(existing, s) {
			return out, fmt.Errorf("%s: %w (it is not labelled %s=%s with %s as controller)", Identity(d), ErrNotManaged, ManagedByLabel, ManagedBy, s)
		}
		current[Identity(d)] = existing.GetResourceVersion()
	}
	for _, d := range desired {
		obj := d.DeepCopy()
		if err := w.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
			return out, fmt.Errorf("applying %s: %w", Identity(d), err)
		}
		if rv, ok := current[Identity(d)]; !ok || rv != obj.GetResourceVersion() {
			out.Written = append(out.Written, Identity(d))
		}
	}
	keep := map[string]bool{}
	for _, d := range desired {
		keep[Identity(d)] = true
	}
	deleted, err := w.deleteDerived(ctx, s, func(o *unstructured.Unstructured) bool { return !keep[Identity(o)] })
	out.Deleted = deleted
	return out, err
}

// Delete removes every object derived from s.
func (w *Writer) Delete(ctx context.Context, s Source) (Outcome, error) {
	deleted, err := w.deleteDerived(ctx, s, func(*unstructured.Unstructured) bool { return true })
	return Outcome{Deleted: deleted}, err
}

// Derived lists the objects derived from s, from the cache.
func (w *Writer) Derived(ctx context.Context, s Source) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, gvk := range w.Kinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := w.Client.List(ctx, list, client.InNamespace(s.Namespace), client.MatchingLabels{ManagedByLabel: ManagedBy}); err != nil {
			return nil, fmt.Errorf("listing %s in %s: %w", gvk.Kind, s.Namespace, err)
		}
		for i := range list.Items {
			if ControlledBy(&list.Items[i], s) {
				out = append(out, &list.Items[i])
			}
		}
	}
	slices.SortFunc(out, func(a, b *unstructured.Unstructured) int {
		if c := cmpString(a.GetKind(), b.GetKind()); c != 0 {
			return c
		}
		return cmpString(a.GetName(), b.GetName())
	})
	return out, nil
}

// Owners lists the names of the sources of kind gk that objects in ns derive
// from.
func (w *Writer) Owners(ctx context.Context, ns string, gk schema.GroupKind) ([]string, error) {
	seen := map[string]bool{}
	for _, gvk := range w.Kinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := w.Client.List(ctx, list, client.InNamespace(ns), client.MatchingLabels{ManagedByLabel: ManagedBy}); err != nil {
			return nil, fmt.Errorf("listing %s in %s: %w", gvk.Kind, ns, err)
		}
		for i := range list.Items {
			ref := metav1.GetControllerOfNoCopy(&list.Items[i])
			if ref == nil {
				continue
			}
			if gv, err := schema.ParseGroupVersion(ref.APIVersion); err == nil && gv.Group == gk.Group && ref.Kind == gk.Kind {
				seen[ref.Name] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

func (w *Writer) deleteDerived(ctx context.Context, s Source, drop func(*unstructured.Unstructured) bool) ([]string, error) {
	derived, err := w.Derived(ctx, s)
	if err != nil {
		return nil, err
	}
	var deleted []string
	for _, o := range derived {
		if !drop(o) {
			continue
		}
		// Preconditions: delete exactly the object read, so that one
		// recreated meanwhile under the same name is not removed.
		uid, rv := o.GetUID(), o.GetResourceVersion()
		err := w.Client.Delete(ctx, o, client.Preconditions{UID: &uid, ResourceVersion: &rv})
		switch {
		case err == nil:
			deleted = append(deleted, Identity(o))
		case apierrors.IsNotFound(err):
		default:
			return deleted, fmt.Errorf("deleting %s: %w", Identity(o), err)
		}
	}
	return deleted, nil
}

// get reads the object named like d: from the cache, or, when the cache does
// not hold it (it holds only managed objects), from the API server.
func (w *Writer) get(ctx context.Context, d *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	for _, r := range []client.Reader{w.Client, w.APIReader} {
		o := &unstructured.Unstructured{}
		o.SetGroupVersionKind(d.GroupVersionKind())
		err := r.Get(ctx, client.ObjectKeyFromObject(d), o)
		switch {
		case err == nil:
			return o, nil
		case !apierrors.IsNotFound(err):
			return nil, fmt.Errorf("reading %s: %w", Identity(d), err)
		}
	}
	return nil, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
