// Package routes keeps, for every VirtualService bound to the configured
// Istio gateway, the HTTPRoutes (and the kgateway objects travelling with
// them) that kgateway-route's converter derives from it, in the
// VirtualService's namespace and owned by it: written when the
// VirtualService converts exactly and its namespace may have them, updated
// when it changes, removed when it goes, is unbound or is refused. The
// VirtualService itself is never written (its controller reverts edits).
package routes

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/config"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/events"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/metrics"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/objects"
	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// VirtualServiceKind is the source kind, matched by group and kind.
var VirtualServiceKind = schema.GroupKind{Group: "networking.istio.io", Kind: "VirtualService"}

// DerivedKinds are the kinds a VirtualService converts into, at the
// versions the converter writes.
var DerivedKinds = []schema.GroupVersionKind{
	{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"},
	{Group: "gateway.kgateway.dev", Version: "v1alpha1", Kind: "TrafficPolicy"},
	{Group: "gateway.kgateway.dev", Version: "v1alpha1", Kind: "DirectResponse"},
}

// Reconciler reconciles one VirtualService.
type Reconciler struct {
	Client    client.Client
	Writer    *objects.Writer
	Events    *events.Recorder
	Converter *kgatewayroute.RouteConverter
	Settings  *config.Settings
	// VirtualService is the version watched (any served version sees every
	// VirtualService: see Setup).
	VirtualService schema.GroupVersionKind
}

// Reconcile implements reconcile.Reconciler.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	src := objects.Source{GroupKind: VirtualServiceKind, Namespace: req.Namespace, Name: req.Name}
	vs := &unstructured.Unstructured{}
	vs.SetGroupVersionKind(r.VirtualService)
	err := r.Client.Get(ctx, req.NamespacedName, vs)
	switch {
	case apierrors.IsNotFound(err):
		r.Events.Forget(VirtualServiceKind.Kind, req.Namespace, req.Name)
		return reconcile.Result{}, r.remove(ctx, src, "VirtualService gone")
	case err != nil:
		return reconcile.Result{}, err
	case vs.GetDeletionTimestamp() != nil:
		return reconcile.Result{}, r.remove(ctx, src, "VirtualService being deleted")
	}
	desired, refusals, err := Derive(r.Converter, r.Settings, vs)
	if err != nil {
		return reconcile.Result{}, err
	}
	if len(refusals) > 0 {
		return reconcile.Result{}, r.refuse(ctx, src, vs, refusals)
	}
	out, err := r.Writer.Sync(ctx, src, desired)
	r.count(out)
	if errors.Is(err, objects.ErrNotManaged) {
		return reconcile.Result{}, r.refuse(ctx, src, vs, []events.Refusal{{Reason: events.Conflict, Message: err.Error() + "; no route written"}})
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	r.Events.Accepted(vs)
	if len(out.Written) > 0 || len(out.Deleted) > 0 {
		log.FromContext(ctx).Info("synced", "written", out.Written, "deleted", out.Deleted)
		r.Events.Normal(vs, events.Synced, "Sync", "%s", outcomeText(out))
	}
	return reconcile.Result{}, nil
}

// refuse removes what vs derived before and reports why, once per version
// of vs.
func (r *Reconciler) refuse(ctx context.Context, src objects.Source, vs *unstructured.Unstructured, refusals []events.Refusal) error {
	out, err := r.Writer.Delete(ctx, src)
	r.count(out)
	if len(out.Deleted) > 0 {
		for i := range refusals {
			refusals[i].Message += "; removed " + strings.Join(out.Deleted, ", ")
		}
	}
	metrics.RoutesRefused.WithLabelValues(refusals[0].Reason).Inc()
	r.Events.Refused(vs, "Convert", refusals)
	log.FromContext(ctx).Info("refused", "reason", refusals[0].Reason, "message", refusals[0].Message, "refusals", len(refusals))
	return err
}

func (r *Reconciler) remove(ctx context.Context, src objects.Source, why string) error {
	out, err := r.Writer.Delete(ctx, src)
	r.count(out)
	if len(out.Deleted) > 0 {
		log.FromContext(ctx).Info("removed", "why", why, "deleted", out.Deleted)
	}
	return err
}

func (r *Reconciler) count(out objects.Outcome) {
	metrics.RoutesWritten.Add(float64(len(out.Written)))
	metrics.RoutesDeleted.Add(float64(len(out.Deleted)))
}

func outcomeText(out objects.Outcome) string {
	var parts []string
	if len(out.Written) > 0 {
		parts = append(parts, "wrote "+strings.Join(out.Written, ", "))
	}
	if len(out.Deleted) > 0 {
		parts = append(parts, "removed "+strings.Join(out.Deleted, ", "))
	}
	return fmt.Sprint(strings.Join(parts, "; "))
}
