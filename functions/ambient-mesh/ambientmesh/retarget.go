package ambientmesh

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// move re-targets a policy at the waypoint (its Services, or the waypoint
// itself for a namespace-wide one) with its rules intact, and leaves on
// ztunnel what keeps the workloads closed to traffic that bypasses it.
func (m *migration) move(p *policy) error {
	_, why := p.needsWaypoint()
	refs, onto := m.waypointTargets(p)
	enforced := "now enforced by waypoint " + m.waypointNamespace(p.ns) + "/" + m.cfg.WaypointName + " through targetRefs " + onto + ", rules intact"
	if len(refs) > 0 {
		if _, err := p.obj.RemoveNestedField("spec", "selector"); err != nil {
			return kit.Errorf(p.obj, "spec.selector", "%v", err)
		}
		if err := p.obj.SetNestedField(refs, "spec", "targetRefs"); err != nil {
			return kit.Errorf(p.obj, "spec.targetRefs", "%v", err)
		}
		m.touch(p.obj)
		m.moved++
		if m.rt != nil {
			m.rt.moved = append(m.rt.moved, p)
			enforced = "AuthorizationPolicy " + derivedName(p.obj.GetName(), waypointCopySuffix) + " enforces its rules, intact, at waypoint " +
				m.waypointNamespace(p.ns) + "/" + m.cfg.WaypointName + " through targetRefs " + onto
		}
	} else {
		enforced = "no Service in the namespace to attach it to at the shared waypoint yet, so its rules are enforced nowhere and what they allow is denied until one exists"
	}
	companion, err := m.companion(p)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%s, %s: needs a waypoint (%s); %s", p.gk.Kind, describe(p), why, enforced)
	if companion != "" {
		msg += "; ztunnel keeps AuthorizationPolicy " + companion + " on the same workloads"
	}
	if m.rt != nil {
		m.runtimeSourceEffect(p)
	}
	m.info(p.obj, "spec.targetRefs", "%s", msg)
	return nil
}

// waypointTargets is where a moved policy attaches at the waypoint: the
// waypoint Gateway for a namespace-wide policy, the Services whose pods it
// selects otherwise. A policy cannot target a Gateway of another namespace,
// so with a shared waypoint a namespace-wide policy targets every Service of
// its namespace instead (the Services the waypoint serves for it).
func (m *migration) waypointTargets(p *policy) (refs []any, onto string) {
	services := p.waypointFor
	if p.selector == nil {
		if m.waypointNamespace(p.ns) == p.ns {
			wp := m.cfg.WaypointName
			return []any{map[string]any{"group": kit.GroupGatewayAPI, "kind": "Gateway", "name": wp}}, "waypoint Gateway " + wp
		}
		services = slices.Collect(maps.Keys(m.state(p.ns).services))
	}
	names := serviceNames(services)
	for _, name := range names {
		refs = append(refs, map[string]any{"group": "", "kind": "Service", "name": name})
	}
	return refs, "Service " + strings.Join(names, ", ")
}

// companion is the selector policy left on ztunnel for a moved policy:
//   - ALLOW: its pure-L4 rules, plus one admitting the waypoint, so direct
//     traffic is still held to what ztunnel can check;
//   - DENY and CUSTOM: each rule without its L7 parts, except from the
//     waypoint, so traffic that bypasses the waypoint is denied more, never less;
//   - AUDIT and RequestAuthentication: nothing, they decide nothing.
func (m *migration) companion(p *policy) (string, error) {
	if p.gk != istio.AuthorizationPolicyKind || p.action == "AUDIT" {
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
	name := derivedName(p.obj.GetName(), companionSuffix)
	_, err := m.addPolicy(p.obj, p, p.ns, name, action, p.selector, nil, rules)
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
	name := derivedName(p.obj.GetName(), waypointCopySuffix)
	if _, err := m.addPolicy(p.obj, p, p.ns, name, p.action, nil, refs, rulesAny(p.rules)); err != nil {
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
			if m.rt != nil {
				m.warn(p.obj, "spec.rules", "its rules cannot except the waypoint's identity on ztunnel (the source is left to its controller): where the waypoint's identity satisfies a rule, ztunnel denies traffic the waypoint admitted, so it denies more than with sidecars, never less")
			}
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
// source is the policy it is derived from (at run time its owner).
func (m *migration) addPolicy(from *fn.KubeObject, source *policy, ns, name, action string, selector map[string]string, refs []targetRef, rules []any) (bool, error) {
	id := idOf("AuthorizationPolicy", ns, name)
	if o := m.b.ids[id]; o != nil {
		if o.GetAnnotation(generatedByAnnotation) != FunctionName {
			return false, kit.Errorf(from, "", "cannot add AuthorizationPolicy %s/%s: an object of that name exists and was not made by %s", ns, name, FunctionName)
		}
		return false, nil
	}
	var ap authorizationPolicy
	ap.APIVersion, ap.Kind = defaultPolicyAPIVersion, "AuthorizationPolicy"
	if istio.AuthorizationPolicyKind.Is(from) {
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
	if m.rt != nil {
		m.rt.derivedFrom[o] = source
	}
	return true, nil
}
