package ambientmesh

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// defaultPolicyAPIVersion is used for policies not derived from one.
const defaultPolicyAPIVersion = kit.GroupIstioSecurity + "/v1"

// waypointState is what one namespace's waypoint serves.
type waypointState struct {
	namespaceWide bool              // istio.io/use-waypoint on the Namespace
	services      map[*service]bool // Services bound to the waypoint
	admitted      map[*service]bool // Services whose pods already admit the waypoint on ztunnel
	allAdmitted   bool
}

func (m *migration) waypointPrincipal(ns string) string {
	return "cluster.local/ns/" + ns + "/sa/" + m.cfg.WaypointName
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
// waypoint, and admits the kgateway identity.
func (m *migration) policies() error {
	ingress := m.cfg.IngressGateway.Principal()
	for _, p := range m.b.policies {
		if m.skip[p.key()] || p.gk != kit.AuthorizationPol {
			continue
		}
		if rewritePrincipals(p.rules, kit.IstioIngressPrincipal, ingress, m.cfg.KeepIstioIngressPrincipal) {
			if err := p.setRules(); err != nil {
				return err
			}
			m.touch(p.obj)
			verb := "added the kgateway identity " + ingress + " next to"
			if !m.cfg.KeepIstioIngressPrincipal {
				verb = "replaced with the kgateway identity " + ingress + ":"
			}
			m.info(p.obj, "spec.rules", "%s %s", verb, kit.IstioIngressPrincipal)
		}
	}
	m.existingBindings()
	var moving, staying []*policy
	for _, p := range m.b.policies {
		if !m.inScope(p) {
			continue
		}
		m.policyCount++
		p.pods = m.b.podsOf(p.ns, p.selector)
		if p.selector != nil && len(p.pods) > 0 && allOutOfMesh(p.pods) {
			m.info(p.obj, "spec.selector", "left as is: it selects only workloads outside the ambient mesh (%s=%s), which enforce it themselves or not at all", dataplaneModeLabel, dataplaneModeNone)
			continue
		}
		need, why := p.needsWaypoint()
		if !need {
			staying = append(staying, p)
			continue
		}
		if p.selector == nil {
			m.state(p.ns).namespaceWide = true
			moving = append(moving, p)
			continue
		}
		covered, inexact := m.b.servicesFor(p.ns, p.selector, p.pods)
		switch {
		case len(covered) == 0:
			kit.Error(m.results, p.obj, "spec.selector", "needs a waypoint (%s) but no Service in the bundle selects its pods (%s): a waypoint only sees traffic sent to a Service, so the rules cannot be enforced anywhere; add a Service, or list %q in skipPolicies to keep it on ztunnel, which %s",
				why, describe(p), p.key(), ztunnelEffect(p))
			continue
		case len(inexact) > 0:
			kit.Error(m.results, p.obj, "spec.selector", "needs a waypoint (%s) but Service %s also fronts pods its selector does not select: re-targeting it at the Service would apply its rules to them too; narrow the Service or the selector, or list %q in skipPolicies",
				why, strings.Join(serviceNames(inexact), ", "), p.key())
			continue
		}
		p.waypointFor = covered
		st := m.state(p.ns)
		for _, s := range covered {
			st.services[s] = true
		}
		moving = append(moving, p)
	}
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
	for _, p := range moving {
		if err := m.move(p); err != nil {
			return err
		}
	}
	for _, p := range staying {
		if err := m.stay(p); err != nil {
			return err
		}
	}
	return m.waypoints()
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
		m.info(p.obj, "", "left as is (%s): namespace %s is not in ambient, so the proxy it selects enforces it, for example the Istio ingress gateway, whose auth kgateway-route turns into kgateway ext-auth and JWT", verdict, p.ns)
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
	case p.gk == kit.RequestAuth:
		return "validates no token at all"
	case p.action == "ALLOW":
		return "drops its L7 rules and so denies what they allowed"
	case p.action == "DENY":
		return "enforces its rules without their L7 parts and so denies more"
	}
	return "ignores it"
}

// move re-targets a policy at the waypoint (its Services, or the waypoint
// itself for a namespace-wide one) with its rules intact, and leaves on
// ztunnel what keeps the workloads closed to traffic that bypasses it.
func (m *migration) move(p *policy) error {
	_, why := p.needsWaypoint()
	wp := m.cfg.WaypointName
	var refs []any
	var onto string
	if p.selector == nil {
		refs = []any{map[string]any{"group": kit.GroupGatewayAPI, "kind": "Gateway", "name": wp}}
		onto = "waypoint Gateway " + wp
	} else {
		for _, name := range serviceNames(p.waypointFor) {
			refs = append(refs, map[string]any{"group": "", "kind": "Service", "name": name})
		}
		onto = "Service " + strings.Join(serviceNames(p.waypointFor), ", ")
	}
	if _, err := p.obj.RemoveNestedField("spec", "selector"); err != nil {
		return kit.Errorf(p.obj, "spec.selector", "%v", err)
	}
	if err := p.obj.SetNestedField(refs, "spec", "targetRefs"); err != nil {
		return kit.Errorf(p.obj, "spec.targetRefs", "%v", err)
	}
	m.touch(p.obj)
	m.moved++
	companion, err := m.companion(p)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%s, %s: needs a waypoint (%s); now enforced by waypoint %s/%s through targetRefs %s, rules intact", p.gk.Kind, describe(p), why, p.ns, wp, onto)
	if companion != "" {
		msg += "; ztunnel keeps AuthorizationPolicy " + companion + " on the same workloads"
	}
	m.info(p.obj, "spec.targetRefs", "%s", msg)
	return nil
}

// companion is the selector policy left on ztunnel for a moved policy:
//   - ALLOW: its pure-L4 rules, plus one admitting the waypoint, so direct
//     traffic is still held to what ztunnel can check;
//   - DENY and CUSTOM: each rule without its L7 parts, except from the
//     waypoint, so traffic that bypasses the waypoint is denied more, never less;
//   - AUDIT and RequestAuthentication: nothing, they decide nothing.
func (m *migration) companion(p *policy) (string, error) {
	if p.gk != kit.AuthorizationPol || p.action == "AUDIT" {
		return "", nil
	}
	wp := m.waypointPrincipal(p.ns)
	var rules []any
	action := "ALLOW"
	if p.action == "ALLOW" {
		for i, r := range p.rules {
			if !p.l7Rule[i] {
				rules = append(rules, r)
			}
		}
		rules = append(rules, map[string]any{"from": []any{map[string]any{"source": map[string]any{"principals": []any{wp}}}}})
		st := m.state(p.ns)
		if p.selector == nil {
			st.allAdmitted = true
		}
		for _, s := range p.waypointFor {
			st.admitted[s] = true
		}
	} else {
		action = "DENY"
		for _, r := range p.rules {
			rules = append(rules, exceptFrom(l4Reduction(r), wp))
		}
		if len(rules) == 0 {
			return "", nil
		}
	}
	name := p.obj.GetName() + "-ztunnel"
	_, err := m.addPolicy(p.obj, p.ns, name, action, p.selector, nil, rules)
	return name, err
}

// stay handles a policy ztunnel enforces. When it applies to pods behind a
// waypoint, traffic through the waypoint reaches ztunnel with the
// waypoint's identity, so a copy is enforced at the waypoint (targetRefs on
// those Services) and DENY rules on ztunnel except the waypoint.
func (m *migration) stay(p *policy) error {
	st := m.bound[p.ns]
	var behind []*service
	if st != nil {
		covered, inexact := m.b.servicesFor(p.ns, p.selector, p.pods)
		for _, s := range covered {
			if st.services[s] {
				behind = append(behind, s)
			}
		}
		for _, s := range inexact {
			if st.services[s] {
				m.warn(p.obj, "spec.selector", "Service %s behind waypoint %s also fronts pods this policy does not select: the copy at the waypoint applies to them too", s.obj.GetName(), m.cfg.WaypointName)
			}
		}
	}
	if len(behind) == 0 {
		m.info(p.obj, "", "%s, %s: L4 only, enforced by ztunnel; stays on ztunnel", p.action, describe(p))
		return nil
	}
	sort.Slice(behind, func(i, j int) bool { return behind[i].obj.GetName() < behind[j].obj.GetName() })
	var refs []targetRef
	for _, s := range behind {
		refs = append(refs, targetRef{Kind: "Service", Name: s.obj.GetName()})
	}
	name := p.obj.GetName() + "-waypoint"
	if _, err := m.addPolicy(p.obj, p.ns, name, p.action, nil, refs, rulesAny(p.rules)); err != nil {
		return err
	}
	m.copied++
	if p.action == "DENY" {
		wp, changed := m.waypointPrincipal(p.ns), false
		for i, r := range p.rules {
			if !hasGuard(r, wp) {
				p.rules[i] = exceptFrom(r, wp)
				changed = true
			}
		}
		if changed {
			if err := p.setRules(); err != nil {
				return err
			}
			m.touch(p.obj)
		}
	}
	guard := ""
	if p.action == "DENY" {
		guard = "; on ztunnel its rules now except the waypoint's identity, which stands for the clients the waypoint has checked"
	}
	m.info(p.obj, "", "%s, %s: L4 only, kept on ztunnel; its pods are behind waypoint %s/%s (Service %s), so AuthorizationPolicy %s enforces the same rules there%s",
		p.action, describe(p), p.ns, m.cfg.WaypointName, strings.Join(serviceNames(behind), ", "), name, guard)
	return nil
}

// addPolicy adds a generated AuthorizationPolicy in namespace ns for the
// object from, unless an earlier run did; it reports whether it added one.
func (m *migration) addPolicy(from *fn.KubeObject, ns, name, action string, selector map[string]string, refs []targetRef, rules []any) (bool, error) {
	id := idOf("AuthorizationPolicy", ns, name)
	if o := m.b.ids[id]; o != nil {
		if o.GetAnnotation(generatedByAnnotation) != FunctionName {
			return false, kit.Errorf(from, "", "cannot add AuthorizationPolicy %s/%s: an object of that name exists and was not made by %s", ns, name, FunctionName)
		}
		return false, nil
	}
	var ap authorizationPolicy
	ap.APIVersion, ap.Kind = defaultPolicyAPIVersion, "AuthorizationPolicy"
	if kit.AuthorizationPol.Is(from) {
		ap.APIVersion = from.GetAPIVersion()
	}
	ap.Metadata = generatedMeta(ap.Kind, ns, name, from.GetKind()+"/"+from.GetName())
	if selector != nil {
		ap.Spec.Selector = &matchLabels{MatchLabels: selector}
	}
	ap.Spec.TargetRefs = refs
	ap.Spec.Action = action
	ap.Spec.Rules = rules
	o, err := toObject(ap)
	if err != nil {
		return false, kit.Errorf(from, "", "generating %s: %v", name, err)
	}
	m.b.ids[id] = o
	m.added = append(m.added, o)
	return true, nil
}
