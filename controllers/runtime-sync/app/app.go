// Package app wires runtime-sync's controllers into a controller-runtime
// manager: the caches (derived kinds only with the managed-by label), the
// Event recorder, /metrics, health probes and leader election.
package app

import (
	"context"
	"fmt"
	"net/http"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/config"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/events"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/objects"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/profiles"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/routes"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// Options are the command line's.
type Options struct {
	ConfigPath  string
	MetricsAddr string
	ProbeAddr   string
	LeaderElect bool
	// QPS and Burst limit requests to the API server; Workers is the number
	// of reconciles each controller runs at once.
	QPS     float64
	Burst   int
	Workers int
}

// LeaderElectionID names the Lease, in the Gateway's namespace.
const LeaderElectionID = "runtime-sync.kfgitops.dev"

// Run loads the configuration and runs the controllers until ctx ends.
func Run(ctx context.Context, rc *rest.Config, o Options) error {
	s, err := config.Load(o.ConfigPath)
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(rc, ctrl.Options{
		Metrics:                       metricsserver.Options{BindAddress: o.MetricsAddr},
		HealthProbeBindAddress:        o.ProbeAddr,
		LeaderElection:                o.LeaderElect,
		LeaderElectionID:              LeaderElectionID,
		LeaderElectionNamespace:       s.Route.Gateway.Namespace,
		LeaderElectionReleaseOnCancel: true,
		Cache:                         cache.Options{ByObject: managedOnly(append(append([]schema.GroupVersionKind(nil), routes.DerivedKinds...), profiles.GatewayKind))},
		// Reads of unstructured objects go to the cache too (the default
		// sends them to the API server).
		Client: client.Options{Cache: &client.CacheOptions{Unstructured: true}},
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	rec := events.New(mgr.GetEventRecorder(events.Component))
	if err := routes.Setup(mgr, s, rec, o.Workers); err != nil {
		return err
	}
	if err := profiles.Setup(mgr, s, rec, o.Workers); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	// Ready once the caches have synced: before that, a reconcile could not
	// see what it wrote before.
	if err := mgr.AddReadyzCheck("readyz", func(req *http.Request) error {
		if !mgr.GetCache().WaitForCacheSync(req.Context()) {
			return fmt.Errorf("caches not synced")
		}
		return nil
	}); err != nil {
		return err
	}
	return mgr.Start(ctx)
}

// managedOnly restricts the cache of derived kinds to the objects
// runtime-sync wrote: a cluster's other HTTPRoutes are never held.
func managedOnly(kinds []schema.GroupVersionKind) map[client.Object]cache.ByObject {
	sel := labels.SelectorFromSet(labels.Set{objects.ManagedByLabel: objects.ManagedBy})
	out := map[client.Object]cache.ByObject{}
	for _, gvk := range kinds {
		out[objects.Empty(gvk)] = cache.ByObject{Label: sel}
	}
	return out
}
