package ambientmesh

import (
	"maps"
	"slices"
	"sort"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// waypoints emits a waypoint per namespace that needs one, binds the
// Services (or the namespace) to it, sends ingress traffic for them through
// it, and admits the waypoint on ztunnel where an ALLOW policy would
// otherwise reject its identity.
func (m *migration) waypoints() error {
	namespaces := make([]string, 0, len(m.bound))
	for ns, st := range m.bound {
		if st.namespaceWide || len(st.services) > 0 {
			namespaces = append(namespaces, ns)
		}
	}
	sort.Strings(namespaces)
	wp := m.cfg.WaypointName
	for _, ns := range namespaces {
		st := m.bound[ns]
		if m.waypointNamespace(ns) == ns && m.b.gateways[ns+"/"+wp] == nil {
			g, err := newWaypoint(ns, wp)
			if err != nil {
				return err
			}
			m.b.gateways[ns+"/"+wp] = g
			m.added = append(m.added, g)
			m.waypointsAdded++
			m.info(g, "", "waypoint for namespace %s: its L7 policies are enforced here (identity %s)", ns, m.waypointPrincipal(ns))
		}
		if err := m.waypointNetworkPolicy(ns, st); err != nil {
			return err
		}
		routed := st.namespaceWide && m.namespaceAdmitsIngress(ns)
		for _, s := range m.b.services[ns] {
			if st.services[s] && m.routedFromIngress(s) {
				routed = true
			}
		}
		if st.namespaceWide {
			if o := m.b.namespaces[ns]; o != nil {
				labels := map[string]string{useWaypointLabel: wp}
				if routed {
					labels[ingressUseWaypoint] = "true"
				}
				if err := m.setLabels(o, labels); err != nil {
					return err
				}
			} else {
				m.warn(nil, "", "namespace %s is not in the bundle: label it %s=%s yourself", ns, useWaypointLabel, wp)
			}
		}
		for _, s := range m.b.services[ns] {
			if !st.services[s] {
				continue
			}
			if !st.namespaceWide { // else the namespace's labels cover it
				labels := map[string]string{useWaypointLabel: wp}
				if m.routedFromIngress(s) {
					labels[ingressUseWaypoint] = "true"
				}
				if err := m.setLabels(s.obj, labels); err != nil {
					return err
				}
			}
			if err := m.admit(ns, st, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// routedFromIngress: a VirtualService routes to the Service, or a policy
// on its pods admits the ingress gateway (Istio's, or kgateway's once it
// replaced it). kgateway then has to send to the
// Service VIP (istio.io/ingress-use-waypoint) or it bypasses the waypoint.
func (m *migration) routedFromIngress(s *service) bool {
	ns := s.obj.GetNamespace()
	if m.b.routed[ns+"/"+s.obj.GetName()] {
		return true
	}
	for _, p := range m.b.policies {
		if p.ns != ns || p.gk != istio.AuthorizationPolicyKind || !m.namesIngress(p.rules) {
			continue
		}
		if p.selector == nil && !p.targetRefs || p.selector != nil && p.selectsPodOf(s) {
			return true
		}
		for _, ref := range p.waypointFor {
			if ref == s {
				return true
			}
		}
	}
	return false
}

// namespaceAdmitsIngress: a namespace-wide policy of ns admits the ingress
// gateway, so ingress traffic reaches the namespace's workloads whether or
// not their Services are in the bundle (a profile namespace's notebooks are
// created at run time), and must go through the waypoint.
func (m *migration) namespaceAdmitsIngress(ns string) bool {
	for _, p := range m.b.policies {
		if p.ns != ns || p.gk != istio.AuthorizationPolicyKind || p.selector != nil {
			continue
		}
		if m.namesIngress(p.rules) {
			return true
		}
	}
	return false
}

func namesPrincipal(rules []map[string]any, principal string) bool {
	for _, r := range rules {
		for _, f := range kit.ListOf(r["from"]) {
			for _, v := range kit.ListOf(kit.MapOf(kit.MapOf(f)["source"])["principals"]) {
				if v == principal {
					return true
				}
			}
		}
	}
	return false
}

func (m *migration) setLabels(o *fn.KubeObject, labels map[string]string) error {
	keys := slices.Sorted(maps.Keys(labels))
	changed := map[string]string{}
	for _, k := range keys {
		if o.GetLabel(k) == labels[k] {
			continue
		}
		if err := o.SetLabel(k, labels[k]); err != nil {
			return kit.Errorf(o, "metadata.labels", "%v", err)
		}
		changed[k] = labels[k]
	}
	if len(changed) > 0 {
		m.touch(o)
		m.info(o, "metadata.labels", "bound to the waypoint: set %s", kit.FormatLabels(changed))
	}
	return nil
}

// admit adds an L4 ALLOW for the waypoint's identity on a Service's pods
// when some ALLOW policy applies to them on ztunnel and none admits it yet.
func (m *migration) admit(ns string, st *waypointState, s *service) error {
	if st.allAdmitted || st.admitted[s] || m.admits(ns, s) {
		return nil
	}
	allow := m.allowApplying(ns, s)
	if allow == nil {
		return nil
	}
	name := "allow-" + m.cfg.WaypointName + "-to-" + s.obj.GetName()
	if len(s.selector) == 0 {
		return nil
	}
	rules := []any{map[string]any{"from": []any{map[string]any{"source": map[string]any{"principals": []any{m.waypointPrincipal(ns)}}}}}}
	added, err := m.addPolicy(s.obj, allow, ns, name, "ALLOW", s.selector, nil, rules)
	if err != nil {
		return err
	}
	if added {
		m.info(s.obj, "", "added AuthorizationPolicy %s: an ALLOW policy applies to its pods on ztunnel, and traffic through the waypoint arrives with the waypoint's identity", name)
	}
	st.admitted[s] = true
	return nil
}

// admits reports whether an ALLOW policy already in the bundle (one an
// earlier run generated, say) admits the waypoint to the Service's pods.
func (m *migration) admits(ns string, s *service) bool {
	wp := m.waypointPrincipal(ns)
	for _, p := range m.b.policies {
		if p.ns != ns || p.gk != istio.AuthorizationPolicyKind || p.action != "ALLOW" || p.targetRefs || !namesPrincipal(p.rules, wp) {
			continue
		}
		if p.selectsPodOf(s) {
			return true
		}
	}
	return false
}

// allowApplying returns the first ALLOW policy (of the namespace or the
// root namespace) that ztunnel applies to the Service's pods, if any.
func (m *migration) allowApplying(ns string, s *service) *policy {
	for _, p := range m.b.policies {
		if p.gk != istio.AuthorizationPolicyKind || p.action != "ALLOW" || p.targetRefs || p.waypointFor != nil {
			continue
		}
		if p.ns != ns && p.ns != m.cfg.RootNamespace {
			continue
		}
		if p.selectsPodOf(s) {
			return p
		}
	}
	return nil
}
