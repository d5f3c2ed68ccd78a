// Package profiles keeps, for every profile namespace (the label the profile
// controller puts on it), what ambient needs so that the namespace's
// AuthorizationPolicies enforce what they enforced with sidecars: the
// waypoint Gateway and the policies ambient-mesh derives from each source
// (ambientmesh.MigrateNamespace, the render-time migration run over the
// namespace). The sources (the profile controller's ns-owner-access-istio,
// kfam's per-contributor policies) are never written: their controllers
// revert edits.
//
// Ownership: each derived policy is owned by its source policy (the copy at
// the waypoint and the ztunnel companion go with it); the waypoint is owned
// by its Namespace, since it exists because the namespace is a profile
// namespace, not because of any one policy. Both are labelled managed-by.
package profiles

import (
	"fmt"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/config"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/events"
	"github.com/kfgitops/kfgitops/controllers/runtime-sync/objects"
	"github.com/kfgitops/kfgitops/functions/ambient-mesh/ambientmesh"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Kinds read and written.
var (
	NamespaceKind = schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}
	ServiceKind   = schema.GroupVersionKind{Version: "v1", Kind: "Service"}
	GatewayKind   = schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "Gateway"}
	// PolicyKind is matched by group and kind; the version is the one
	// watched (see Setup).
	PolicyKind = schema.GroupKind{Group: "security.istio.io", Kind: "AuthorizationPolicy"}
)

// Migration is what a profile namespace derives.
type Migration struct {
	// Waypoint is nil with a shared waypoint, and in a declared profile's
	// namespace, whose waypoint Argo CD applies.
	Waypoint *unstructured.Unstructured
	// Derived maps each source policy's name to its derived objects; a source
	// refused has an empty entry (what it derived before is removed).
	Derived map[string][]*unstructured.Unstructured
	// Refusals are the Warning Events, per source policy ("" for the
	// namespace).
	Refusals map[string][]events.Refusal
}

// Derive migrates a namespace's policies. policies are the sources as read
// (derived ones are left out by MigrateNamespace), at version policyVersion,
// which the derived policies are written at too. A source that cannot be
// read as a policy is refused alone: the others are migrated without it.
func Derive(s *config.Settings, ns *unstructured.Unstructured, policies, services []*unstructured.Unstructured, policyVersion string) (*Migration, error) {
	srcs, objs, out, err := sources(policies)
	if err != nil {
		return nil, err
	}
	svcs := make([]*fn.KubeObject, 0, len(services))
	for _, u := range services {
		o, err := objects.ToKubeObject(u)
		if err != nil {
			return nil, err
		}
		svcs = append(svcs, o)
	}
	opts := ambientmesh.NamespaceOptions{Waypoint: s.Waypoint, IngressGateway: s.Route.Gateway, Services: svcs}
	m, err := ambientmesh.MigrateNamespace(ns.GetName(), objs, opts)
	if err != nil {
		// One source the migration cannot read: find which, refuse those
		// and migrate the rest, so that one bad policy does not take the
		// others' derived policies with it.
		var good []*fn.KubeObject
		for _, o := range objs {
			if _, err := ambientmesh.MigrateNamespace(ns.GetName(), []*fn.KubeObject{o}, opts); err != nil {
				out.Refusals[o.GetName()] = append(out.Refusals[o.GetName()], events.Refusal{Reason: events.Malformed, Message: err.Error() + "; nothing derived from it"})
				out.Derived[o.GetName()] = nil
				continue
			}
			good = append(good, o)
		}
		if m, err = ambientmesh.MigrateNamespace(ns.GetName(), good, opts); err != nil {
			return nil, fmt.Errorf("namespace %s: %w", ns.GetName(), err)
		}
	}
	for name, list := range m.Derived {
		for _, o := range list {
			u, err := objects.FromKubeObject(o, srcs[name])
			if err != nil {
				return nil, err
			}
			u.SetAPIVersion(PolicyKind.Group + "/" + policyVersion)
			out.Derived[name] = append(out.Derived[name], u)
		}
	}
	for name, findings := range m.Findings {
		for _, f := range findings {
			if f.Severity == fn.Info {
				continue
			}
			reason, what := events.PolicyNotMigrated, "; nothing derived from it"
			if f.Severity == fn.Warning {
				reason, what = events.PolicyMigrationWarning, ""
			}
			out.Refusals[name] = append(out.Refusals[name], events.Refusal{Reason: reason, Message: events.FieldText(f.Field, f.Message) + what})
		}
	}
	// A declared profile's waypoint comes from Git with its Namespace.
	if m.Waypoint != nil && !objects.DeclaredInGit(ns) {
		if out.Waypoint, err = objects.FromKubeObject(m.Waypoint, ns); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sources indexes the source policies by name and converts them.
func sources(policies []*unstructured.Unstructured) (map[string]*unstructured.Unstructured, []*fn.KubeObject, *Migration, error) {
	out := &Migration{Derived: map[string][]*unstructured.Unstructured{}, Refusals: map[string][]events.Refusal{}}
	srcs := map[string]*unstructured.Unstructured{}
	var objs []*fn.KubeObject
	for _, p := range policies {
		if objects.Managed(p) || objects.DeclaredInGit(p) {
			continue
		}
		o, err := objects.ToKubeObject(p)
		if err != nil {
			return nil, nil, nil, err
		}
		srcs[p.GetName()] = p
		out.Derived[p.GetName()] = nil
		objs = append(objs, o)
	}
	return srcs, objs, out, nil
}
