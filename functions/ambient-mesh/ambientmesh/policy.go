package ambientmesh

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// policy is an AuthorizationPolicy or RequestAuthentication with its spec
// decoded for classification.
type policy struct {
	obj         *fn.KubeObject
	gk          kit.GroupKind
	ns          string
	action      string            // "" for RequestAuthentication; ALLOW when unset
	selector    map[string]string // nil: the whole namespace
	targetRefs  bool
	rules       []map[string]any
	l7          []string // the L7 attributes found, sorted, unique
	l7Rule      []bool   // per rule: has an L7 attribute
	generated   bool
	pods        []*workload
	waypointFor []*service // Services the policy is enforced on at the waypoint
}

// selectsPodOf reports whether the policy's selector applies to some pod of
// the Service (no selector: the whole namespace).
func (p *policy) selectsPodOf(s *service) bool {
	if p.selector == nil {
		return true
	}
	for _, w := range s.pods {
		if kit.MatchLabels(p.selector, w.labels) {
			return true
		}
	}
	return false
}

func newPolicy(o *fn.KubeObject, gk kit.GroupKind, ns string) (*policy, error) {
	if err := validateSpec(o, gk); err != nil {
		return nil, err
	}
	p := &policy{obj: o, gk: gk, ns: ns, generated: o.GetAnnotation(generatedByAnnotation) == FunctionName}
	var spec struct {
		Action   string `json:"action"`
		Selector *struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		TargetRef  map[string]any   `json:"targetRef"`
		TargetRefs []map[string]any `json:"targetRefs"`
		Rules      []map[string]any `json:"rules"`
	}
	if s := o.GetMap("spec"); s != nil {
		if err := yaml.Unmarshal(s.Bytes(), &spec); err != nil {
			return nil, kit.Errorf(o, "spec", "%v", err)
		}
	}
	p.targetRefs = len(spec.TargetRefs) > 0 || len(spec.TargetRef) > 0
	if spec.Selector != nil {
		p.selector = spec.Selector.MatchLabels
		if p.selector == nil {
			p.selector = map[string]string{}
		}
	}
	if gk == istio.AuthorizationPolicyKind {
		p.action = spec.Action
		if p.action == "" {
			p.action = "ALLOW"
		}
	}
	p.rules = spec.Rules
	seen := map[string]bool{}
	for _, r := range p.rules {
		attrs := ruleL7(r)
		p.l7Rule = append(p.l7Rule, len(attrs) > 0)
		for _, a := range attrs {
			if !seen[a] {
				seen[a] = true
				p.l7 = append(p.l7, a)
			}
		}
	}
	sort.Strings(p.l7)
	return p, nil
}

func (p *policy) key() string { return p.ns + "/" + p.obj.GetName() }

// needsWaypoint reports whether ztunnel cannot enforce the policy, and why.
func (p *policy) needsWaypoint() (bool, string) {
	switch {
	case p.gk == istio.RequestAuthenticationKind:
		return true, "a RequestAuthentication: ztunnel validates no JWT"
	case istio.AuthzWaypointActions[p.action]:
		return true, "action " + p.action + ", which ztunnel ignores"
	case len(p.l7) > 0:
		return true, "L7 attributes " + strings.Join(p.l7, ", ")
	}
	return false, ""
}

// ruleL7 names the L7 attributes of one rule, per Istio's tables.
func ruleL7(rule map[string]any) []string {
	var out []string
	for _, a := range istio.AuthorizationRuleL7(rule) {
		out = append(out, a.Name)
	}
	sort.Strings(out)
	return out
}

// l4Reduction is a rule without its L7 attributes: it matches at least what
// the rule matched, so as a DENY rule it fails closed.
func l4Reduction(rule map[string]any) map[string]any {
	out := map[string]any{}
	if froms, ok := reduceClauses(rule["from"], "source", istio.AuthzL4SourceFields); ok {
		out["from"] = froms
	}
	if tos, ok := reduceClauses(rule["to"], "operation", istio.AuthzL4OperationFields); ok {
		out["to"] = tos
	}
	var when []any
	for _, c := range kit.ListOf(rule["when"]) {
		if key, _ := kit.MapOf(c)["key"].(string); istio.AuthzL4ConditionKeys[key] {
			when = append(when, c)
		}
	}
	if len(when) > 0 {
		out["when"] = when
	}
	return out
}

// reduceClauses keeps the L4 fields of each from/to clause; a clause left
// empty matches anything, and so does the whole list then.
func reduceClauses(v any, inner string, keep map[string]bool) ([]any, bool) {
	clauses := kit.ListOf(v)
	if len(clauses) == 0 {
		return nil, false
	}
	var out []any
	for _, c := range clauses {
		fields := map[string]any{}
		for k, val := range kit.MapOf(kit.MapOf(c)[inner]) {
			if keep[k] {
				fields[k] = val
			}
		}
		if len(fields) == 0 {
			return nil, false
		}
		out = append(out, map[string]any{inner: fields})
	}
	return out, true
}

// exceptFrom ANDs "the source is not principal" onto a rule.
func exceptFrom(rule map[string]any, principal string) map[string]any {
	out := map[string]any{}
	for k, v := range rule {
		out[k] = v
	}
	guard := map[string]any{"key": principalConditionKey, "notValues": []any{principal}}
	out["when"] = append(append([]any{}, kit.ListOf(rule["when"])...), guard)
	return out
}

// hasGuard reports whether a rule already excepts the principal.
func hasGuard(rule map[string]any, principal string) bool {
	for _, c := range kit.ListOf(rule["when"]) {
		m := kit.MapOf(c)
		if m["key"] == principalConditionKey {
			for _, v := range kit.ListOf(m["notValues"]) {
				if v == principal {
					return true
				}
			}
		}
	}
	return false
}

// rewritePrincipals admits the kgateway identity wherever a rule names the
// Istio ingress identity (next to it, or instead of it). It reports whether
// anything changed.
func rewritePrincipals(rules []map[string]any, from, to string, keep bool) bool {
	changed := false
	edit := func(values []any) []any {
		has, hasTo := false, false
		for _, v := range values {
			has = has || v == from
			hasTo = hasTo || v == to
		}
		if !has || (keep && hasTo) {
			return values
		}
		var out []any
		for _, v := range values {
			if v == from {
				if keep {
					out = append(out, v)
				}
				if !hasTo {
					out = append(out, to)
					hasTo = true
				}
				continue
			}
			out = append(out, v)
		}
		changed = true
		return out
	}
	for _, r := range rules {
		for _, f := range kit.ListOf(r["from"]) {
			src := kit.MapOf(kit.MapOf(f)["source"])
			for _, field := range principalSourceFields {
				if vals, ok := src[field].([]any); ok {
					src[field] = edit(vals)
				}
			}
		}
		for _, c := range kit.ListOf(r["when"]) {
			m := kit.MapOf(c)
			if m["key"] != principalConditionKey {
				continue
			}
			for _, field := range []string{"values", "notValues"} {
				if vals, ok := m[field].([]any); ok {
					m[field] = edit(vals)
				}
			}
		}
	}
	return changed
}

// setRules writes rules back into the policy.
func (p *policy) setRules() error {
	rules := make([]any, len(p.rules))
	for i, r := range p.rules {
		rules[i] = r
	}
	if err := p.obj.SetNestedField(rules, "spec", "rules"); err != nil {
		return kit.Errorf(p.obj, "spec.rules", "%v", err)
	}
	return nil
}

func describe(p *policy) string {
	if p.selector == nil {
		return "namespace-wide"
	}
	return "selector " + kit.FormatLabels(p.selector)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
