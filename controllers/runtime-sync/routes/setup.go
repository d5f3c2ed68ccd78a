package routes

import (
	"fmt"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/config"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/events"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/objects"
	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
)

// Setup registers the VirtualService controller with the manager.
//
// It watches VirtualServices at the version the API server prefers (v1 with
// the Istio CRDs of the corpus). Istio's CRD serves v1alpha3, v1beta1 and v1
// with the same schema from one storage version and no conversion webhook,
// so a watch at any one served version lists every VirtualService, whatever
// version its controller wrote it under (notebook-controller writes
// v1alpha3, KServe v1beta1): the server only rewrites apiVersion.
//
// It also watches what it derives (Owns): an edited or deleted HTTPRoute is
// put back, and at start the first list of those kinds enqueues the source
// of every object it wrote before, so that objects whose VirtualService went
// while the controller was down are found and removed (the start-up sweep).
func Setup(mgr ctrl.Manager, s *config.Settings, rec *events.Recorder, workers int) error {
	mapping, err := mgr.GetRESTMapper().RESTMapping(VirtualServiceKind)
	if err != nil {
		return fmt.Errorf("the API server does not serve %s (are Istio's CRDs installed?): %w", VirtualServiceKind, err)
	}
	conv, err := kgatewayroute.NewRouteConverter(s.Route)
	if err != nil {
		return err
	}
	r := &Reconciler{
		Client:         mgr.GetClient(),
		Writer:         &objects.Writer{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Kinds: DerivedKinds},
		Events:         rec,
		Converter:      conv,
		Settings:       s,
		VirtualService: mapping.GroupVersionKind,
	}
	b := ctrl.NewControllerManagedBy(mgr).Named("virtualservice").
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).For(objects.Empty(mapping.GroupVersionKind))
	for _, gvk := range DerivedKinds {
		b = b.Owns(objects.Empty(gvk))
	}
	return b.Complete(r)
}
