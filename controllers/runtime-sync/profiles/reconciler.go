package profiles

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/config"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/events"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/metrics"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/objects"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Reconciler reconciles one namespace (the request's Name).
type Reconciler struct {
	Client   client.Client
	Policies *objects.Writer // derived AuthorizationPolicies
	Waypoint *objects.Writer // the waypoint Gateway
	Events   *events.Recorder
	Settings *config.Settings
	// Policy is the AuthorizationPolicy version watched and written.
	Policy schema.GroupVersionKind
}

// Reconcile implements reconcile.Reconciler.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	ns := &unstructured.Unstructured{}
	ns.SetGroupVersionKind(NamespaceKind)
	err := r.Client.Get(ctx, client.ObjectKey{Name: req.Name}, ns)
	switch {
	case apierrors.IsNotFound(err):
		return reconcile.Result{}, r.removeAll(ctx, req.Name)
	case err != nil:
		return reconcile.Result{}, err
	case ns.GetDeletionTimestamp() != nil || ns.GetLabels()[r.Settings.ProfileLabel.Key] != r.Settings.ProfileLabel.Value:
		return reconcile.Result{}, r.removeAll(ctx, req.Name)
	}
	policies, err := r.list(ctx, r.Policy, req.Name)
	if err != nil {
		return reconcile.Result{}, err
	}
	services, err := r.list(ctx, ServiceKind, req.Name)
	if err != nil {
		return reconcile.Result{}, err
	}
	m, err := Derive(r.Settings, ns, policies, services, r.Policy.Version)
	if err != nil {
		r.Events.Refused(ns, "Migrate", []events.Refusal{{Reason: events.Malformed, Message: err.Error()}})
		return reconcile.Result{}, nil
	}
	if err := r.syncWaypoint(ctx, ns, m.Waypoint); err != nil {
		return reconcile.Result{}, err
	}
	bySource := map[string]*unstructured.Unstructured{"": ns}
	for _, p := range policies {
		bySource[p.GetName()] = p
	}
	for name, refusals := range m.Refusals {
		if o := bySource[name]; o != nil && len(refusals) > 0 {
			r.Events.Refused(o, "Migrate", refusals)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(m.Derived)) {
		if err := r.syncSource(ctx, bySource[name], m.Derived[name], len(m.Refusals[name]) > 0); err != nil {
			return reconcile.Result{}, err
		}
	}
	return reconcile.Result{}, r.removeGoneSources(ctx, req.Name, m.Derived)
}

func (r *Reconciler) syncSource(ctx context.Context, src *unstructured.Unstructured, desired []*unstructured.Unstructured, refused bool) error {
	s := objects.Source{GroupKind: PolicyKind, Namespace: src.GetNamespace(), Name: src.GetName()}
	out, err := r.Policies.Sync(ctx, s, desired)
	metrics.PoliciesDerived.Add(float64(len(out.Written)))
	if refused && len(desired) == 0 {
		metrics.PoliciesRefused.Inc()
	}
	if errors.Is(err, objects.ErrNotManaged) {
		r.Events.Refused(src, "Migrate", []events.Refusal{{Reason: events.Conflict, Message: err.Error() + "; nothing derived from it"}})
		_, err = r.Policies.Delete(ctx, s)
		return err
	}
	if err != nil {
		return err
	}
	if !refused {
		r.Events.Accepted(src)
	}
	if len(out.Written) > 0 || len(out.Deleted) > 0 {
		log.FromContext(ctx).Info("policies derived", "source", s.String(), "written", out.Written, "deleted", out.Deleted)
	}
	return nil
}

// syncWaypoint writes the namespace's own waypoint, or removes the one
// written before (the waypoint is now shared).
func (r *Reconciler) syncWaypoint(ctx context.Context, ns, waypoint *unstructured.Unstructured) error {
	s := objects.Source{GroupKind: NamespaceKind.GroupKind(), Namespace: ns.GetName(), Name: ns.GetName()}
	var desired []*unstructured.Unstructured
	if waypoint != nil {
		desired = append(desired, waypoint)
	}
	out, err := r.Waypoint.Sync(ctx, s, desired)
	metrics.PoliciesDerived.Add(float64(len(out.Written)))
	if errors.Is(err, objects.ErrNotManaged) {
		r.Events.Refused(ns, "Migrate", []events.Refusal{{Reason: events.Conflict, Message: err.Error() + "; no waypoint written"}})
		return nil
	}
	return err
}

// removeGoneSources deletes what sources that no longer exist derived.
func (r *Reconciler) removeGoneSources(ctx context.Context, ns string, current map[string][]*unstructured.Unstructured) error {
	owners, err := r.Policies.Owners(ctx, ns, PolicyKind)
	if err != nil {
		return err
	}
	for _, name := range owners {
		if _, ok := current[name]; ok {
			continue
		}
		r.Events.Forget(PolicyKind.Kind, ns, name)
		out, err := r.Policies.Delete(ctx, objects.Source{GroupKind: PolicyKind, Namespace: ns, Name: name})
		if err != nil {
			return err
		}
		log.FromContext(ctx).Info("source policy gone", "policy", name, "deleted", out.Deleted)
	}
	return nil
}

// removeAll deletes everything derived in a namespace that is gone or no
// longer a profile namespace.
func (r *Reconciler) removeAll(ctx context.Context, ns string) error {
	if err := r.removeGoneSources(ctx, ns, nil); err != nil {
		return err
	}
	_, err := r.Waypoint.Delete(ctx, objects.Source{GroupKind: NamespaceKind.GroupKind(), Namespace: ns, Name: ns})
	return err
}

func (r *Reconciler) list(ctx context.Context, gvk schema.GroupVersionKind, ns string) ([]*unstructured.Unstructured, error) {
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err := r.Client.List(ctx, l, client.InNamespace(ns)); err != nil {
		return nil, fmt.Errorf("listing %s in %s: %w", gvk.Kind, ns, err)
	}
	out := make([]*unstructured.Unstructured, len(l.Items))
	for i := range l.Items {
		out[i] = &l.Items[i]
	}
	return out, nil
}
