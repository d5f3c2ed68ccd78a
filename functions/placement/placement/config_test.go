package placement_test

import (
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/placement/placement"
	"github.com/kfgitops/kfgitops/kit"
)

// Every config problem is an error naming the field.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ config, want string }{
		{`{"preset": "kubefl0w"}`, `preset "kubefl0w" is not one of`},
		{`{"rules": [{"name": "Web", "match": [{}], "replicas": 1}]}`, `rules[0].name`},
		{`{"rules": [{"name": "a", "match": [{}], "replicas": 1}, {"name": "a", "match": [{}], "replicas": 1}]}`, `rules[1].name "a": duplicate rule`},
		{`{"rules": [{"name": "a", "replicas": 1}]}`, `rules[0] (a): match: at least one selector`},
		{`{"rules": [{"name": "a", "match": [{"name": "[x"}], "replicas": 1}]}`, `rules[0] (a): match[0]: bad pattern "[x"`},
		{`{"rules": [{"name": "a", "match": [{}]}]}`, `rules[0] (a): sets nothing`},
		{`{"rules": [{"name": "a", "match": [{}], "affinity": {}}]}`, `affinity: set nodeAffinity, podAffinity or podAntiAffinity`},
		{`{"rules": [{"name": "a", "match": [{}], "resources": {"preset": "huge"}}]}`, `resources.preset: "huge" is not one of [large medium small]`},
		{`{"rules": [{"name": "a", "match": [{}], "resources": {}}]}`, `resources.preset or containers: one is needed`},
		{`{"rules": [{"name": "a", "match": [{}], "resources": {"containers": {"web": {}}}}]}`, `resources.containers.web: give a preset, requests or limits`},
		{`{"rules": [{"name": "a", "match": [{}], "resources": {"containers": {"web": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}}}]}`, `requests.cpu 2 is above limits.cpu 1`},
		{`{"rules": [{"name": "a", "match": [{}], "resources": {"containers": {"web": {"requests": {"nvidia.com/gpu": "1"}}}}}]}`, `nvidia.com/gpu: only cpu and memory`},
		{`{"resourcePresets": {"tiny": {"requests": {"memory": "0"}}}}`, `resourcePresets.tiny: memory 0: want a positive quantity`},
		{`{"rules": [{"name": "a", "match": [{}], "replicas": -1}]}`, `replicas -1: want 0 or more`},
		{`{"rules": [{"name": "a", "match": [{}], "autoscaling": {"minReplicas": 0, "maxReplicas": 3, "cpuUtilization": 80}}]}`, `autoscaling.minReplicas 0: want at least 1`},
		{`{"rules": [{"name": "a", "match": [{}], "autoscaling": {"minReplicas": 3, "maxReplicas": 2, "cpuUtilization": 80}}]}`, `autoscaling.maxReplicas 2: below minReplicas 3`},
		{`{"rules": [{"name": "a", "match": [{}], "autoscaling": {"minReplicas": 2, "maxReplicas": 3}}]}`, `cpuUtilization or memoryUtilization: at least one target`},
		{`{"rules": [{"name": "a", "match": [{}], "autoscaling": {"minReplicas": 2, "maxReplicas": 3, "memoryUtilization": 0}}]}`, `memoryUtilization 0: want a percentage`},
		{`{"rules": [{"name": "a", "match": [{}], "disruptionBudget": {"maxUnavailable": 1, "minAvailable": 1}}]}`, `set maxUnavailable or minAvailable, not both`},
		{`{"rules": [{"name": "a", "match": [{}], "disruptionBudget": {"maxUnavailable": "half"}}]}`, `maxUnavailable half: want a count of 0 or more or a percentage`},
		{`{"rules": [{"name": "a", "match": [{}], "replicas": 1, "scaling": "singleton"}]}`, `scaling "singleton": want "stateless" or "leaderElected"`},
	} {
		cfg := placement.Defaults()
		err := kit.DecodeJSON([]byte(tc.config), &cfg)
		if err == nil {
			err = cfg.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.config, err, tc.want)
		}
	}
}
