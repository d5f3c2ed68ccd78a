package ambientmesh

import (
	"fmt"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// authorizationActions are the actions of Istio's AuthorizationPolicy
// ("" is ALLOW).
var authorizationActions = map[string]bool{"": true, "ALLOW": true, "DENY": true, "AUDIT": true, "CUSTOM": true}

// validateSpec checks the shape of what classification reads, as Istio's
// schema does, so that a malformed policy is an error naming the field
// instead of a policy read as something it is not.
func validateSpec(o *fn.KubeObject, gk kit.GroupKind) error {
	var spec map[string]any
	if _, err := o.NestedResource(&spec, "spec"); err != nil {
		return kit.Errorf(o, "spec", "want a map")
	}
	if action, ok := spec["action"]; ok && gk == istio.AuthorizationPolicyKind {
		if s, isString := action.(string); !isString || !authorizationActions[s] {
			return kit.Errorf(o, "spec.action", "%v: want ALLOW, DENY, AUDIT or CUSTOM", action)
		}
	}
	if sel, ok := spec["selector"]; ok {
		selector, isMap := sel.(map[string]any)
		if !isMap {
			return kit.Errorf(o, "spec.selector", "want a map")
		}
		if err := stringMap(selector["matchLabels"]); err != nil {
			return kit.Errorf(o, "spec.selector.matchLabels", "%v", err)
		}
	}
	rules, ok := spec["rules"].([]any)
	if !ok && spec["rules"] != nil {
		return kit.Errorf(o, "spec.rules", "want a list")
	}
	for i, r := range rules {
		if field, err := validateRule(r); err != nil {
			return kit.Errorf(o, fmt.Sprintf("spec.rules[%d]%s", i, field), "%v", err)
		}
	}
	return nil
}

// validateRule checks one rule; it returns the field at fault, relative to
// the rule.
func validateRule(r any) (string, error) {
	rule, ok := r.(map[string]any)
	if !ok {
		return "", fmt.Errorf("want a map")
	}
	for _, c := range []struct{ key, inner string }{{"from", "source"}, {"to", "operation"}} {
		clauses, ok := rule[c.key].([]any)
		if !ok && rule[c.key] != nil {
			return "." + c.key, fmt.Errorf("want a list")
		}
		for j, clause := range clauses {
			fields, ok := kit.MapOf(clause)[c.inner].(map[string]any)
			if !ok {
				return fmt.Sprintf(".%s[%d].%s", c.key, j, c.inner), fmt.Errorf("want a map")
			}
			for k, v := range fields {
				if !stringList(v) {
					return fmt.Sprintf(".%s[%d].%s.%s", c.key, j, c.inner, k), fmt.Errorf("want a list of strings")
				}
			}
		}
	}
	when, ok := rule["when"].([]any)
	if !ok && rule["when"] != nil {
		return ".when", fmt.Errorf("want a list")
	}
	for j, c := range when {
		cond, ok := c.(map[string]any)
		if key, isString := cond["key"].(string); !ok || !isString || key == "" {
			return fmt.Sprintf(".when[%d].key", j), fmt.Errorf("want a condition key")
		}
		for _, f := range []string{"values", "notValues"} {
			if v, has := cond[f]; has && !stringList(v) {
				return fmt.Sprintf(".when[%d].%s", j, f), fmt.Errorf("want a list of strings")
			}
		}
	}
	return "", nil
}

func stringList(v any) bool {
	l, ok := v.([]any)
	if !ok && v != nil {
		return false
	}
	for _, s := range l {
		if _, isString := s.(string); !isString {
			return false
		}
	}
	return true
}

// stringMap checks that v, if set, is a map of strings.
func stringMap(v any) error {
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return fmt.Errorf("want a map")
	}
	for k, val := range m {
		if _, isString := val.(string); !isString {
			return fmt.Errorf("%s: want a string", k)
		}
	}
	return nil
}
