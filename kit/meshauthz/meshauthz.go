// Package meshauthz evaluates Istio AuthorizationPolicies the way a
// sidecar, a waypoint (l7: every attribute) and ztunnel (L4 only) enforce
// them, written from Istio's documented semantics (authorization-policy
// reference; ambient's authorization.go for what ztunnel keeps),
// independently of the functions' tables. Tests decide requests with it
// over the policies a function or the whole chain emits; it fails the test
// on an attribute it does not know rather than guess.
package meshauthz

import (
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Policy is an AuthorizationPolicy as the evaluator reads it.
type Policy struct {
	Namespace  string
	Name       string
	Action     string
	Selector   map[string]string // nil: the namespace
	TargetRefs []map[string]string
	Rules      []map[string]any
	Provider   bool
}

// Request is what a policy decides on: the peer identity, the HTTP
// request and the destination port.
type Request struct {
	Principal, Path, Method, Port string
	Headers                       map[string]string
}

// ExtAuthzHeader: the ext-authz provider of CUSTOM policies allows what
// carries this header with the value "allow".
const ExtAuthzHeader = "x-ext-authz"

// Decode reads an AuthorizationPolicy (any security.istio.io version).
func Decode(tb testing.TB, o *fn.KubeObject) Policy {
	tb.Helper()
	var p struct {
		Spec struct {
			Action   string `json:"action"`
			Selector *struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			TargetRefs []map[string]string `json:"targetRefs"`
			Rules      []map[string]any    `json:"rules"`
			Provider   map[string]any      `json:"provider"`
		} `json:"spec"`
	}
	if err := kit.As(&o.SubObject, &p); err != nil {
		tb.Fatal(err)
	}
	ap := Policy{Namespace: o.GetNamespace(), Name: o.GetName(), Action: p.Spec.Action, TargetRefs: p.Spec.TargetRefs, Rules: p.Spec.Rules, Provider: p.Spec.Provider != nil}
	if ap.Action == "" {
		ap.Action = "ALLOW"
	}
	if p.Spec.Selector != nil {
		ap.Selector = p.Spec.Selector.MatchLabels
		if ap.Selector == nil {
			ap.Selector = map[string]string{}
		}
	}
	return ap
}

// Decide applies Istio's order: CUSTOM, then DENY, then ALLOW; l7 is
// whether the proxy sees HTTP (a sidecar or waypoint, not ztunnel).
func Decide(tb testing.TB, policies []Policy, r Request, l7 bool) bool {
	allowed, _ := Explain(tb, policies, r, l7)
	return allowed
}

// Explain is Decide with what decided: the CUSTOM or DENY policy that
// refused, the first ALLOW policy that matched ("namespace/name"), or ""
// when no ALLOW policy applies (allowed) or none matched (refused).
func Explain(tb testing.TB, policies []Policy, r Request, l7 bool) (bool, string) {
	for _, action := range []string{"CUSTOM", "DENY"} {
		for _, p := range policies {
			if p.Action == action && p.matches(tb, r, l7) && (action == "DENY" || r.Headers[ExtAuthzHeader] != "allow") {
				return false, p.Ref()
			}
		}
	}
	allows := false
	for _, p := range policies {
		if p.Action == "ALLOW" {
			if p.matches(tb, r, l7) {
				return true, p.Ref()
			}
			allows = true
		}
	}
	return !allows, ""
}

// Ref is "namespace/name".
func (p Policy) Ref() string { return p.Namespace + "/" + p.Name }

func (p Policy) matches(tb testing.TB, r Request, l7 bool) bool {
	for _, rule := range p.Rules {
		if ruleMatches(tb, rule, r, l7) {
			return true
		}
	}
	return false
}

// ruleMatches: every part of the rule holds. Without L7 (ztunnel) a DENY
// rule's L7 parts hold for any request (Istio drops them: the rule denies
// more); ALLOW rules with L7 parts were removed before.
func ruleMatches(tb testing.TB, rule map[string]any, r Request, l7 bool) bool {
	for key, inner := range map[string]string{"from": "source", "to": "operation"} {
		clauses, _ := rule[key].([]any)
		if len(clauses) == 0 {
			continue
		}
		if !slices.ContainsFunc(clauses, func(c any) bool {
			fields, _ := c.(map[string]any)[inner].(map[string]any)
			for field, values := range fields {
				if !fieldHolds(tb, field, strings2(values), r, l7) {
					return false
				}
			}
			return true
		}) {
			return false
		}
	}
	conds, _ := rule["when"].([]any)
	for _, c := range conds {
		cond := c.(map[string]any)
		key := cond["key"].(string)
		v, known := attribute(key, r)
		if !known {
			tb.Fatalf("evaluator: unknown condition key %s", key)
		}
		if isL7Key(key) && !l7 {
			continue
		}
		if vs, ok := cond["values"]; ok && !anyMatch(strings2(vs), v) {
			return false
		}
		if vs, ok := cond["notValues"]; ok && anyMatch(strings2(vs), v) {
			return false
		}
	}
	return true
}

func fieldHolds(tb testing.TB, field string, values []string, r Request, l7 bool) bool {
	var v string
	switch strings.ToLower(strings.TrimPrefix(field, "not")) {
	case "principals":
		v = r.Principal
	case "namespaces":
		v = namespaceOf(r.Principal)
	case "ports":
		v = r.Port
	case "paths":
		v = r.Path
	case "methods":
		v = r.Method
	default:
		tb.Fatalf("evaluator: unknown field %s", field)
	}
	if !l7 && (strings.Contains(strings.ToLower(field), "path") || strings.Contains(strings.ToLower(field), "method")) {
		return true
	}
	match := v != "" && anyMatch(values, v)
	if strings.HasPrefix(field, "not") {
		return !match
	}
	return match
}

func attribute(key string, r Request) (string, bool) {
	switch {
	case key == "source.namespace":
		return namespaceOf(r.Principal), true
	case key == "source.principal":
		return r.Principal, true
	case key == "destination.port":
		return r.Port, true
	case strings.HasPrefix(key, "request.headers[") && strings.HasSuffix(key, "]"):
		return r.Headers[strings.TrimSuffix(strings.TrimPrefix(key, "request.headers["), "]")], true
	}
	return "", false
}

func isL7Key(key string) bool { return strings.HasPrefix(key, "request.") }

func ruleIsL7(rule map[string]any) bool {
	for key, inner := range map[string]string{"from": "source", "to": "operation"} {
		clauses, _ := rule[key].([]any)
		for _, c := range clauses {
			for field := range c.(map[string]any)[inner].(map[string]any) {
				if f := strings.ToLower(field); strings.Contains(f, "path") || strings.Contains(f, "method") {
					return true
				}
			}
		}
	}
	conds, _ := rule["when"].([]any)
	return slices.ContainsFunc(conds, func(c any) bool { return isL7Key(c.(map[string]any)["key"].(string)) })
}

// Istio's string match: exact, "*" (present), prefix "x*", suffix "*x".
func anyMatch(patterns []string, v string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool {
		switch {
		case p == "*":
			return v != ""
		case strings.HasSuffix(p, "*"):
			return strings.HasPrefix(v, strings.TrimSuffix(p, "*"))
		case strings.HasPrefix(p, "*"):
			return strings.HasSuffix(v, strings.TrimPrefix(p, "*"))
		}
		return p == v
	})
}

func strings2(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = s.(string)
	}
	return out
}

func namespaceOf(principal string) string {
	if rest, ok := strings.CutPrefix(principal, "cluster.local/ns/"); ok {
		ns, _, _ := strings.Cut(rest, "/")
		return ns
	}
	return ""
}

// OnZtunnel is how ztunnel enforces a policy without targetRefs: an ALLOW
// loses its rules with L7 attributes; CUSTOM and AUDIT are ignored; DENY
// rules are matched without their L7 parts (ruleMatches with l7 false).
func OnZtunnel(p Policy) (Policy, bool) {
	switch p.Action {
	case "CUSTOM", "AUDIT":
		return p, false
	case "ALLOW":
		var kept []map[string]any
		for _, r := range p.Rules {
			if !ruleIsL7(r) {
				kept = append(kept, r)
			}
		}
		p.Rules = kept
	}
	return p, true
}

// AppliesTo reports whether a policy without targetRefs selects a pod of
// these labels.
func (p Policy) AppliesTo(pod map[string]string) bool {
	if len(p.TargetRefs) > 0 {
		return false
	}
	for k, v := range p.Selector {
		if pod[k] != v {
			return false
		}
	}
	return true
}
