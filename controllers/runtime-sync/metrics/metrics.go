// Package metrics holds runtime-sync's counters, served on /metrics beside
// controller-runtime's own (reconcile counts and durations, work queues,
// client requests).
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

var (
	// RoutesWritten counts derived route objects created or changed.
	RoutesWritten = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "runtime_sync_routes_written_total",
		Help: "HTTPRoutes and the kgateway objects travelling with them created or changed.",
	})
	// RoutesDeleted counts derived route objects deleted.
	RoutesDeleted = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "runtime_sync_routes_deleted_total",
		Help: "Derived route objects deleted (source gone, unbound, refused or no longer derived).",
	})
	// RoutesRefused counts VirtualService versions refused, by Event reason.
	RoutesRefused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "runtime_sync_routes_refused_total",
		Help: "VirtualServices refused (no route written), by Event reason.",
	}, []string{"reason"})
	// PoliciesDerived counts derived policy objects created or changed.
	PoliciesDerived = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "runtime_sync_policies_derived_total",
		Help: "AuthorizationPolicies and waypoints derived from profile namespaces' policies, created or changed.",
	})
	// PoliciesRefused counts source policies not migrated.
	PoliciesRefused = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "runtime_sync_policies_refused_total",
		Help: "AuthorizationPolicies that could not be migrated exactly (nothing derived).",
	})
)

func init() {
	crmetrics.Registry.MustRegister(RoutesWritten, RoutesDeleted, RoutesRefused, PoliciesDerived, PoliciesRefused)
}
