package kit_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/kit"
)

func TestLabelSelectorMatches(t *testing.T) {
	labels := map[string]string{"app": "web", "tier": "front"}
	for _, c := range []struct {
		name    string
		sel     kit.LabelSelector
		want    bool
		wantErr bool
	}{
		{"empty matches everything", kit.LabelSelector{}, true, false},
		{"matchLabels met", kit.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, true, false},
		{"matchLabels unmet", kit.LabelSelector{MatchLabels: map[string]string{"app": "db"}}, false, false},
		{"In", kit.LabelSelector{MatchExpressions: []kit.LabelRequirement{{Key: "tier", Operator: "In", Values: []string{"front", "back"}}}}, true, false},
		{"In without the key", kit.LabelSelector{MatchExpressions: []kit.LabelRequirement{{Key: "zone", Operator: "In", Values: []string{"a"}}}}, false, false},
		{"NotIn without the key", kit.LabelSelector{MatchExpressions: []kit.LabelRequirement{{Key: "zone", Operator: "NotIn", Values: []string{"a"}}}}, true, false},
		{"NotIn with the value", kit.LabelSelector{MatchExpressions: []kit.LabelRequirement{{Key: "app", Operator: "NotIn", Values: []string{"web"}}}}, false, false},
		{"Exists", kit.LabelSelector{MatchExpressions: []kit.LabelRequirement{{Key: "app", Operator: "Exists"}}}, true, false},
		{"DoesNotExist", kit.LabelSelector{MatchExpressions: []kit.LabelRequirement{{Key: "app", Operator: "DoesNotExist"}}}, false, false},
		{"unknown operator", kit.LabelSelector{MatchExpressions: []kit.LabelRequirement{{Key: "app", Operator: "Gt"}}}, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.sel.Matches(labels)
			if got != c.want || (err != nil) != c.wantErr {
				t.Errorf("Matches = %v, %v; want %v, error %v", got, err, c.want, c.wantErr)
			}
		})
	}
}
