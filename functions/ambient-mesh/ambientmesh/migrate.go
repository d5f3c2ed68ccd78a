package ambientmesh

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
)

// defaultPolicyAPIVersion is used for policies not derived from one.
const defaultPolicyAPIVersion = istio.GroupSecurity + "/v1"

// waypointState is what one namespace's waypoint serves.
type waypointState struct {
	namespaceWide bool              // istio.io/use-waypoint on the Namespace
	services      map[*service]bool // Services bound to the waypoint
	admitted      map[*service]bool // Services whose pods already admit the waypoint on ztunnel
	allAdmitted   bool
}

// waypointPrincipal is the identity traffic through namespace ns's
// waypoint arrives with at the destination ztunnel.
func (m *migration) waypointPrincipal(ns string) string {
	return "cluster.local/ns/" + m.waypointNamespace(ns) + "/sa/" + m.cfg.WaypointName
}

// waypointNamespace is where namespace ns's waypoint runs: ns itself, or
// the namespace of a shared waypoint (run time only).
func (m *migration) waypointNamespace(ns string) string {
	if m.rt != nil && m.rt.sharedWaypointNamespace != "" {
		return m.rt.sharedWaypointNamespace
	}
	return ns
}

func (m *migration) state(ns string) *waypointState {
	if m.bound == nil {
		m.bound = map[string]*waypointState{}
	}
	s := m.bound[ns]
	if s == nil {
		s = &waypointState{services: map[*service]bool{}, admitted: map[*service]bool{}}
		m.bound[ns] = s
	}
	return s
}

// policies classifies every policy, moves what ztunnel cannot enforce to a
// waypoint, and admits the kgateway identity, one phase after the other.
func (m *migration) policies() error {
	if err := m.admitIngressIdentity(); err != nil {
		return err
	}
	m.existingBindings()
	moving, staying := m.classify()
	m.bindNamespaces()
	for _, p := range moving {
		if err := m.move(p); err != nil {
			return err
		}
	}
	m.onZtunnel = len(staying)
	for _, p := range staying {
		if err := m.stay(p); err != nil {
			return err
		}
	}
	return m.waypoints()
}

// admitIngressIdentity rewrites the Istio ingress identity (and, at run
// time, the configured extra principals) wherever a rule names it.
func (m *migration) admitIngressIdentity() error {
	for _, p := range m.b.policies {
		if m.skip[p.key()] || p.gk != istio.AuthorizationPolicyKind {
			continue
		}
		m.keptIngressPrincipal(p)
		for _, rw := range m.principalRewrites() {
			if !rewritePrincipals(p.rules, rw.from, rw.to, rw.keep) {
				continue
			}
			if err := p.setRules(); err != nil {
				return err
			}
			m.touch(p.obj)
			switch {
			case m.rt != nil:
				m.info(p.obj, "spec.rules", "the derived policies name %s where it names %s (the source itself is left to its controller)", rw.to, rw.from)
			case rw.keep:
				m.info(p.obj, "spec.rules", "added the ingress Gateway's identity %s next to %s", rw.to, rw.from)
			default:
				m.info(p.obj, "spec.rules", "replaced with the ingress Gateway's identity %s: %s", rw.to, rw.from)
			}
		}
	}
	return nil
}

// principalRewrite replaces principal from by to (keep: adds to next to it).
type principalRewrite struct {
	from, to string
	keep     bool
}

func (m *migration) principalRewrites() []principalRewrite {
	var out []principalRewrite
	if m.ingress != nil {
		out = append(out, principalRewrite{from: istio.IngressGatewayPrincipal, to: m.ingress.Principal(), keep: m.cfg.KeepIstioIngressPrincipal})
	}
	if m.rt != nil {
		for _, from := range slices.Sorted(maps.Keys(m.rt.replacePrincipals)) {
			out = append(out, principalRewrite{from: from, to: m.rt.replacePrincipals[from]})
		}
	}
	return out
}

// classify splits the policies in scope into those that need a waypoint
// (binding the Services they select to it) and those ztunnel enforces.
func (m *migration) classify() (moving, staying []*policy) {
	for _, p := range m.b.policies {
		inScope := m.inScope(p)
		if !p.generated { // generated ones are an earlier run's output
			m.policyCount++
		}
		if !inScope {
			m.left += btoi(!p.generated)
			continue
		}
		p.pods = m.b.podsOf(p.ns, p.selector)
		if p.selector != nil && len(p.pods) > 0 && allOutOfMesh(p.pods) {
			m.left++
			m.info(p.obj, "spec.selector", "left as is: it selects only workloads outside the ambient mesh (%s=%s), which enforce it themselves or not at all", dataplaneModeLabel, dataplaneModeNone)
			continue
		}
		need, why := p.needsWaypoint()
		switch {
		case !need:
			staying = append(staying, p)
		case p.selector == nil:
			m.state(p.ns).namespaceWide = true
			moving = append(moving, p)
		case m.bindServices(p, why):
			moving = append(moving, p)
		}
	}
	return moving, staying
}

// bindServices binds to the waypoint the Services in front of the pods of a
// selector policy that needs it; it fails (an error result) when no Service
// selects them, or one also fronts pods the policy does not select.
func (m *migration) bindServices(p *policy, why string) bool {
	covered, inexact := m.b.servicesFor(p.ns, p.selector, p.pods)
	switch {
	case len(covered) == 0:
		kit.Error(m.results, p.obj, "spec.selector", "needs a waypoint (%s) but no Service %s selects its pods (%s): a waypoint only sees traffic sent to a Service, so the rules cannot be enforced anywhere; add a Service%s, which %s",
			why, m.serviceScope(), describe(p), m.skipHint(p, " to keep it on ztunnel"), ztunnelEffect(p))
		return false
	case len(inexact) > 0:
		kit.Error(m.results, p.obj, "spec.selector", "needs a waypoint (%s) but Service %s also fronts pods its selector does not select: re-targeting it at the Service would apply its rules to them too; narrow the Service or the selector%s",
			why, strings.Join(serviceNames(inexact), ", "), m.skipHint(p, ""))
		return false
	}
	p.waypointFor = covered
	st := m.state(p.ns)
	for _, s := range covered {
		st.services[s] = true
	}
	return true
}

// skipHint names the way out at render time (skipPolicies); the run-time
// controller has none but to leave the policy as its owner wrote it.
func (m *migration) skipHint(p *policy, what string) string {
	if m.rt != nil {
		return "; until then ztunnel alone enforces it"
	}
	return fmt.Sprintf(", or list %q in skipPolicies%s", p.key(), what)
}

func (m *migration) serviceScope() string {
	if m.rt != nil {
		return "in the namespace"
	}
	return "in the bundle"
}

// bindNamespaces binds whole namespaces (useWaypointOn: Namespace, or a
// namespace-wide policy) and, with them, every Service they hold.
func (m *migration) bindNamespaces() {
	if m.cfg.UseWaypointOn == UseWaypointOnNamespace {
		for _, st := range m.bound {
			if len(st.services) > 0 {
				st.namespaceWide = true
			}
		}
	}
	for ns, st := range m.bound {
		if st.namespaceWide {
			for _, s := range m.b.services[ns] {
				if len(s.selector) > 0 {
					st.services[s] = true
				}
			}
		}
	}
}

// inScope: policies ztunnel would enforce in an ambient namespace. Root
// namespace policies apply mesh-wide and stay; targetRefs policies already
// go to a waypoint or gateway; generated ones were made by an earlier run.
func (m *migration) inScope(p *policy) bool {
	if m.skip[p.key()] {
		if m.ambient[p.ns] {
			if need, why := p.needsWaypoint(); need {
				m.warn(p.obj, "", "left as is (skipPolicies) although it needs a waypoint (%s): %s", why, ztunnelEffect(p))
			}
		}
		return false
	}
	need, why := p.needsWaypoint()
	verdict := "L4 only"
	if need {
		verdict = "needs a waypoint: " + why
	}
	switch {
	case p.generated:
		return false
	case p.targetRefs:
		m.info(p.obj, "spec.targetRefs", "left as is (%s): it already targets a waypoint or gateway", verdict)
		return false
	case !m.ambient[p.ns] && need:
		m.info(p.obj, "", "left as is (%s): namespace %s is not in ambient, so the proxy it selects (a sidecar or an Istio gateway) enforces it", verdict, p.ns)
		return false
	case !m.ambient[p.ns]:
		m.info(p.obj, "", "left as is (%s): namespace %s is not in ambient", verdict, p.ns)
		return false
	case p.ns == m.cfg.RootNamespace:
		m.info(p.obj, "", "left as is (%s): a policy of the root namespace %s applies mesh-wide on ztunnel", verdict, p.ns)
		return false
	}
	return true
}

// existingBindings reads waypoint bindings an earlier run (or the user) made.
func (m *migration) existingBindings() {
	for ns := range m.ambient {
		if o := m.b.namespaces[ns]; o != nil && o.GetLabel(useWaypointLabel) == m.cfg.WaypointName {
			m.state(ns).namespaceWide = true
		}
		for _, s := range m.b.services[ns] {
			if s.obj.GetLabel(useWaypointLabel) == m.cfg.WaypointName {
				m.state(ns).services[s] = true
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func allOutOfMesh(ws []*workload) bool {
	for _, w := range ws {
		if !w.outOfMesh {
			return false
		}
	}
	return true
}

// ztunnelEffect says what ztunnel does with a selector policy it cannot
// enforce (istio authorization.go).
func ztunnelEffect(p *policy) string {
	switch {
	case p.gk == istio.RequestAuthenticationKind:
		return "validates no token at all"
	case p.action == "ALLOW":
		return "drops its L7 rules and so denies what they allowed"
	case p.action == "DENY":
		return "enforces its rules without their L7 parts and so denies more"
	}
	return "ignores it"
}
