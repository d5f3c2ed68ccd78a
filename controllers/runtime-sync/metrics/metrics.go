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
	RoutesWritten = counter("runtime_sync_routes_written_total",
		"HTTPRoutes and the kgateway objects travelling with them created or changed.")
	// RoutesDeleted counts derived route objects deleted.
	RoutesDeleted = counter("runtime_sync_routes_deleted_total",
		"Derived route objects deleted (source gone, unbound, refused or no longer derived).")
	// RoutesRefused counts VirtualService versions refused, by Event reason.
	RoutesRefused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "runtime_sync_routes_refused_total",
		Help: "VirtualServices refused (no route written), by Event reason.",
	}, []string{"reason"})
	// PoliciesDerived counts derived policy objects created or changed.
	PoliciesDerived = counter("runtime_sync_policies_derived_total",
		"AuthorizationPolicies and waypoints derived from profile namespaces' policies, created or changed.")
	// PoliciesRefused counts source policies not migrated.
	PoliciesRefused = counter("runtime_sync_policies_refused_total",
		"AuthorizationPolicies that could not be migrated exactly (nothing derived).")
)

func counter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
}

func init() {
	crmetrics.Registry.MustRegister(RoutesWritten, RoutesDeleted, RoutesRefused, PoliciesDerived, PoliciesRefused)
}
