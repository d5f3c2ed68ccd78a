package kit

import (
	"fmt"
	"slices"
)

// LabelSelector is a Kubernetes label selector (metav1.LabelSelector's
// schema), tagged both for decoding objects and for emitting them with
// kit.NewObject (whose YAML would otherwise take the Go field names).
type LabelSelector struct {
	MatchLabels      map[string]string  `json:"matchLabels,omitempty" yaml:"matchLabels,omitempty"`
	MatchExpressions []LabelRequirement `json:"matchExpressions,omitempty" yaml:"matchExpressions,omitempty"`
}

// LabelRequirement is one matchExpressions element.
type LabelRequirement struct {
	Key      string   `json:"key" yaml:"key"`
	Operator string   `json:"operator" yaml:"operator"`
	Values   []string `json:"values,omitempty" yaml:"values,omitempty"`
}

// Matches reports whether labels meet the selector (an empty selector
// matches everything).
func (s LabelSelector) Matches(labels map[string]string) (bool, error) {
	if !MatchLabels(s.MatchLabels, labels) {
		return false, nil
	}
	for _, r := range s.MatchExpressions {
		v, has := labels[r.Key]
		switch r.Operator {
		case "In":
			if !has || !slices.Contains(r.Values, v) {
				return false, nil
			}
		case "NotIn":
			if has && slices.Contains(r.Values, v) {
				return false, nil
			}
		case "Exists":
			if !has {
				return false, nil
			}
		case "DoesNotExist":
			if has {
				return false, nil
			}
		default:
			return false, fmt.Errorf("matchExpressions key %s: unknown operator %q", r.Key, r.Operator)
		}
	}
	return true, nil
}
