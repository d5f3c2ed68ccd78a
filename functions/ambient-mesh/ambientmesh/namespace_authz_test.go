package ambientmesh_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/ambient-mesh/ambientmesh"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// An Istio authorization evaluator, written here from Istio's documented
// semantics (authorization-policy reference; ambient authorization.go for
// what ztunnel keeps), independently of the function's tables: it checks
// that the sources as their controllers keep them, together with what
// MigrateNamespace derives, decide every request under ambient as the
// sources decided it with sidecars, or deny it.

type authzPolicy struct {
	name       string
	action     string
	selector   map[string]string // nil: the namespace
	targetRefs []map[string]string
	rules      []map[string]any
	provider   bool
}

type request struct {
	principal, path, method, port string
	headers                       map[string]string
}

// the ext-authz provider of CUSTOM policies allows what carries this header
const extAuthzHeader = "x-ext-authz"

func decodePolicy(t *testing.T, o *fn.KubeObject) authzPolicy {
	t.Helper()
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
	if err := yaml.Unmarshal([]byte(o.String()), &p); err != nil {
		t.Fatal(err)
	}
	ap := authzPolicy{name: o.GetName(), action: p.Spec.Action, targetRefs: p.Spec.TargetRefs, rules: p.Spec.Rules, provider: p.Spec.Provider != nil}
	if ap.action == "" {
		ap.action = "ALLOW"
	}
	if p.Spec.Selector != nil {
		ap.selector = p.Spec.Selector.MatchLabels
		if ap.selector == nil {
			ap.selector = map[string]string{}
		}
	}
	return ap
}

// globalDenyAll is Kubeflow's istio-system/global-deny-all: mesh-wide, on
// sidecars and on ztunnel, not on waypoints (no targetRefs).
var globalDenyAll = authzPolicy{name: "global-deny-all", action: "ALLOW"}

// decide applies Istio's order: CUSTOM, then DENY, then ALLOW.
func decide(t *testing.T, policies []authzPolicy, r request, l7 bool) bool {
	for _, action := range []string{"CUSTOM", "DENY"} {
		for _, p := range policies {
			if p.action == action && p.matches(t, r, l7) && (action == "DENY" || r.headers[extAuthzHeader] != "allow") {
				return false
			}
		}
	}
	allows := false
	for _, p := range policies {
		if p.action == "ALLOW" {
			if p.matches(t, r, l7) {
				return true
			}
			allows = true
		}
	}
	return !allows
}

func (p authzPolicy) matches(t *testing.T, r request, l7 bool) bool {
	for _, rule := range p.rules {
		if ruleMatches(t, rule, r, l7) {
			return true
		}
	}
	return false
}

// ruleMatches: every part of the rule holds. Without L7 (ztunnel) a DENY
// rule's L7 parts hold for any request (Istio drops them: the rule denies
// more); ALLOW rules with L7 parts were removed before.
func ruleMatches(t *testing.T, rule map[string]any, r request, l7 bool) bool {
	for key, inner := range map[string]string{"from": "source", "to": "operation"} {
		clauses, _ := rule[key].([]any)
		if len(clauses) == 0 {
			continue
		}
		if !slices.ContainsFunc(clauses, func(c any) bool {
			fields, _ := c.(map[string]any)[inner].(map[string]any)
			for field, values := range fields {
				if !fieldHolds(t, field, strings2(values), r, l7) {
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
			t.Fatalf("evaluator: unknown condition key %s", key)
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

func fieldHolds(t *testing.T, field string, values []string, r request, l7 bool) bool {
	var v string
	switch strings.ToLower(strings.TrimPrefix(field, "not")) {
	case "principals":
		v = r.principal
	case "namespaces":
		v = namespaceOf(r.principal)
	case "ports":
		v = r.port
	case "paths":
		v = r.path
	case "methods":
		v = r.method
	default:
		t.Fatalf("evaluator: unknown field %s", field)
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

func attribute(key string, r request) (string, bool) {
	switch {
	case key == "source.namespace":
		return namespaceOf(r.principal), true
	case key == "source.principal":
		return r.principal, true
	case key == "destination.port":
		return r.port, true
	case strings.HasPrefix(key, "request.headers[") && strings.HasSuffix(key, "]"):
		return r.headers[strings.TrimSuffix(strings.TrimPrefix(key, "request.headers["), "]")], true
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

// onZtunnel is how ztunnel enforces a policy without targetRefs: an ALLOW
// loses its rules with L7 attributes; CUSTOM and AUDIT are ignored; DENY
// rules are matched without their L7 parts (ruleMatches with l7 false).
func onZtunnel(p authzPolicy) (authzPolicy, bool) {
	switch p.action {
	case "CUSTOM", "AUDIT":
		return p, false
	case "ALLOW":
		var kept []map[string]any
		for _, r := range p.rules {
			if !ruleIsL7(r) {
				kept = append(kept, r)
			}
		}
		p.rules = kept
	}
	return p, true
}

func applies(p authzPolicy, pod map[string]string) bool {
	if len(p.targetRefs) > 0 {
		return false
	}
	for k, v := range p.selector {
		if pod[k] != v {
			return false
		}
	}
	return true
}

func checkAuthorization(t *testing.T, sources fn.KubeObjects, got *ambientmesh.NamespaceMigration, opts ambientmesh.NamespaceOptions, exact bool) {
	t.Helper()
	var src, derived []authzPolicy
	for _, o := range sources {
		if o.GetLabel(ambientmesh.ManagedByLabel) == "" {
			src = append(src, decodePolicy(t, o))
		}
	}
	for _, source := range slices.Sorted(maps.Keys(got.Derived)) {
		for _, o := range got.Derived[source] {
			derived = append(derived, decodePolicy(t, o))
		}
	}
	wpNS := opts.Waypoint.Namespace
	if wpNS == "" {
		wpNS = profileNS
	}
	waypoint := "cluster.local/ns/" + wpNS + "/sa/" + opts.Waypoint.Name
	pods, fronting := podsAndServices(t, opts.Services)
	checked := 0
	for _, pod := range pods {
		sidecar := []authzPolicy{globalDenyAll}
		ztunnel := []authzPolicy{globalDenyAll}
		for _, p := range append(append([]authzPolicy{}, src...), derived...) {
			if !applies(p, pod) {
				continue
			}
			if z, enforced := onZtunnel(p); enforced {
				ztunnel = append(ztunnel, z)
			}
		}
		for _, p := range src {
			if applies(p, pod) {
				sidecar = append(sidecar, p)
			}
		}
		for _, era := range requests() {
			want := decide(t, sidecar, era.sidecar, true)
			direct := decide(t, ztunnel, era.ambient, false)
			if direct && !want {
				t.Errorf("pod %v: %v is allowed directly under ambient, denied with sidecars", pod, era.ambient)
			}
			for _, svc := range fronting[fmt.Sprint(pod)] {
				var atWaypoint []authzPolicy
				for _, p := range append(append([]authzPolicy{}, src...), derived...) {
					if slices.ContainsFunc(p.targetRefs, func(ref map[string]string) bool {
						return ref["kind"] == "Service" && ref["name"] == svc || ref["kind"] == "Gateway" && ref["name"] == opts.Waypoint.Name && wpNS == profileNS
					}) {
						atWaypoint = append(atWaypoint, p)
					}
				}
				fromWaypoint := era.ambient
				fromWaypoint.principal = waypoint
				via := decide(t, atWaypoint, era.ambient, true) && decide(t, ztunnel, fromWaypoint, false)
				checked++
				switch {
				case via && !want:
					t.Errorf("pod %v: %v through Service %s is allowed under ambient, denied with sidecars", pod, era.ambient, svc)
				case exact && want && !via:
					t.Errorf("pod %v: %v through Service %s is denied under ambient, allowed with sidecars", pod, era.ambient, svc)
				}
			}
		}
	}
	if len(opts.Services) > 0 && checked == 0 {
		t.Error("no request through the waypoint checked")
	}
}

// podsAndServices: one pod per Service selector (plus one no Service fronts),
// and the Services in front of each.
func podsAndServices(t *testing.T, services fn.KubeObjects) ([]map[string]string, map[string][]string) {
	pods := []map[string]string{{"app": "batch"}}
	fronting := map[string][]string{}
	for _, s := range services {
		sel, _, _ := s.NestedStringMap("spec", "selector")
		if len(sel) == 0 {
			continue
		}
		pods = append(pods, sel)
		fronting[fmt.Sprint(sel)] = append(fronting[fmt.Sprint(sel)], s.GetName())
	}
	return pods, fronting
}

type eraRequest struct{ sidecar, ambient request }

// requests are every combination of client, path, method, port, user and
// ext-authz verdict; the ingress client's identity is Istio's ingress
// gateway with sidecars and kgateway under ambient.
func requests() []eraRequest {
	clients := [][2]string{
		{kit.IstioIngressPrincipal, kit.DefaultIngressGateway.Principal()},
		{"cluster.local/ns/kubeflow/sa/ml-pipeline-ui", ""},
		{"cluster.local/ns/kubeflow/sa/notebook-controller-service-account", ""},
		{"cluster.local/ns/" + profileNS + "/sa/default-editor", ""},
		{"cluster.local/ns/kubeflow-user-other/sa/default-editor", ""},
		{"cluster.local/ns/kubeflow-waypoints/sa/other", ""},
		{"", ""},
	}
	var out []eraRequest
	for _, c := range clients {
		for _, path := range []string{"/notebook/x/", "/healthz", "/notebook/x/api/kernels", "/private/a", "/reports/q", "/public/p", "/status"} {
			for _, method := range []string{"GET", "POST"} {
				for _, port := range []string{"8888", "8080"} {
					for _, user := range []string{"user@example.com", "jane@example.com", "bartholomew.montgomery-fitzgerald@research-lab.example.org", ""} {
						for _, ext := range []string{"allow", ""} {
							r := request{principal: c[0], path: path, method: method, port: port, headers: map[string]string{"kubeflow-userid": user, extAuthzHeader: ext}}
							a := r
							if c[1] != "" {
								a.principal = c[1]
							}
							out = append(out, eraRequest{r, a})
						}
					}
				}
			}
		}
	}
	return out
}
