package profiles

import (
	"context"
	"fmt"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/config"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/events"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/objects"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Setup registers the profile namespace controller with the manager.
//
// It reconciles namespaces, and is woken for a namespace by any change of
// its AuthorizationPolicies (sources and derived: an edited or deleted
// derived policy is put back), its Services (policies with selectors are
// enforced on the Services in front of their pods) and its waypoint.
// AuthorizationPolicies are watched at the version the API server prefers:
// as for VirtualServices, Istio's CRD serves every version from one storage,
// so that one watch sees the v1beta1 policies the profile controller and
// kfam write.
func Setup(mgr ctrl.Manager, s *config.Settings, rec *events.Recorder, workers int) error {
	mapping, err := mgr.GetRESTMapper().RESTMapping(PolicyKind)
	if err != nil {
		return fmt.Errorf("the API server does not serve %s (are Istio's CRDs installed?): %w", PolicyKind, err)
	}
	r := &Reconciler{
		Client:   mgr.GetClient(),
		Policies: &objects.Writer{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Kinds: []schema.GroupVersionKind{mapping.GroupVersionKind}},
		Waypoint: &objects.Writer{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Kinds: []schema.GroupVersionKind{GatewayKind}},
		Events:   rec,
		Settings: s,
		Policy:   mapping.GroupVersionKind,
	}
	byNamespace := handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
		return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: o.GetNamespace()}}}
	})
	return ctrl.NewControllerManagedBy(mgr).Named("profile-namespace").
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		For(objects.Empty(NamespaceKind)).
		Watches(objects.Empty(mapping.GroupVersionKind), byNamespace).
		Watches(objects.Empty(ServiceKind), byNamespace).
		Watches(objects.Empty(GatewayKind), byNamespace).
		Complete(r)
}
