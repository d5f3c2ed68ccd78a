package istio

import (
	"fmt"
	"sort"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Istio's own split of AuthorizationPolicy attributes between ztunnel (L4)
// and waypoints (L7), from istio/istio
// pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go
// (handleRule). Under ztunnel an ALLOW rule with an L7 attribute is dropped
// (so it denies) and a DENY rule loses its L7 parts (so it denies more).
// Anything not listed as L4 needs a waypoint, so a field Istio adds later is
// treated as L7: migrating it is safe, dropping it is not.
var (
	// AuthzL4SourceFields are from[].source fields ztunnel enforces.
	AuthzL4SourceFields = map[string]bool{
		"principals": true, "notPrincipals": true,
		"namespaces": true, "notNamespaces": true,
		"serviceAccounts": true, "notServiceAccounts": true,
		"ipBlocks": true, "notIpBlocks": true,
	}
	// AuthzL4OperationFields are to[].operation fields ztunnel enforces.
	AuthzL4OperationFields = map[string]bool{"ports": true, "notPorts": true}
	// AuthzL4ConditionKeys are when[].key values ztunnel enforces.
	AuthzL4ConditionKeys = map[string]bool{
		"source.ip": true, "source.namespace": true, "source.principal": true,
		"destination.ip": true, "destination.port": true,
	}
	// AuthzWaypointActions are actions ztunnel does not enforce at all.
	AuthzWaypointActions = map[string]bool{"CUSTOM": true, "AUDIT": true}
)

// L7Attribute is one attribute of a rule that only a waypoint enforces.
type L7Attribute struct {
	// Path is the field path within the rule, e.g. from[0].source.paths.
	Path string
	// Name says what it is, e.g. "to.operation.paths" or
	// "when request.headers[kubeflow-userid]".
	Name string
}

// AuthorizationRuleL7 lists a decoded rule's L7 attributes, sorted by path.
func AuthorizationRuleL7(rule map[string]any) []L7Attribute {
	var out []L7Attribute
	clauses := func(key, inner string, l4 map[string]bool) {
		list, _ := rule[key].([]any)
		for i, c := range list {
			m, _ := c.(map[string]any)
			fields, _ := m[inner].(map[string]any)
			for field := range fields {
				if !l4[field] {
					out = append(out, L7Attribute{Path: fmt.Sprintf("%s[%d].%s.%s", key, i, inner, field), Name: key + "." + inner + "." + field})
				}
			}
		}
	}
	clauses("from", "source", AuthzL4SourceFields)
	clauses("to", "operation", AuthzL4OperationFields)
	when, _ := rule["when"].([]any)
	for i, c := range when {
		m, _ := c.(map[string]any)
		if key, _ := m["key"].(string); !AuthzL4ConditionKeys[key] {
			out = append(out, L7Attribute{Path: fmt.Sprintf("when[%d].key", i), Name: "when " + key})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// AuthorizationPolicyL7Fields returns the field paths of everything in an
// AuthorizationPolicy that only a waypoint (or a sidecar) enforces: its
// action, or L7 attributes rule by rule; none means ztunnel enforces it all.
func AuthorizationPolicyL7Fields(o *fn.KubeObject) []string {
	var spec struct {
		Action string           `json:"action"`
		Rules  []map[string]any `json:"rules"`
	}
	if sub, found, err := o.NestedSubObject("spec"); err != nil || !found || sub.As(&spec) != nil {
		return nil
	}
	var out []string
	if AuthzWaypointActions[spec.Action] {
		out = append(out, "spec.action")
	}
	for i, rule := range spec.Rules {
		for _, a := range AuthorizationRuleL7(rule) {
			out = append(out, fmt.Sprintf("spec.rules[%d].%s", i, a.Path))
		}
	}
	return out
}
