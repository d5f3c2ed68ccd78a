// Package chain runs every kfgitops function as one KRM function over one
// parsed ResourceList: one parse and one emit for the whole pipeline instead
// of one per function. The separate functions stay for teams that want a
// single concern; the output here is byte-identical to running them one after
// the other.
package chain

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/functions/ambient-mesh/ambientmesh"
	"github.com/kfgitops/kfgitops/functions/argocd-apps/argocdapps"
	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/functions/kserve-gateway/kservegateway"
	"github.com/kfgitops/kfgitops/functions/profiles/profiles"
	"github.com/kfgitops/kfgitops/functions/set-sync-wave/syncwave"
	"github.com/kfgitops/kfgitops/functions/strip-istio-sidecar/stripsidecar"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Steps are the pipeline's mutators, in pipeline order. This is the one
// table of the project's functions: the chain, the conformance suite and the
// benchmarks all read it, so adding a function means adding it here. The
// validator (verify) is not a step: it changes nothing and runs after the
// chain, as kpt runs validators after mutators.
//
// profiles comes before ambient-mesh, which migrates the policies it renders
// like any other L7 policy (waypoint, targetRefs, ztunnel companions).
// kserve-gateway comes before kgateway-route, whose Gateway KServe's
// HTTPRoutes attach to: it only edits KServe's settings ConfigMap.
var Steps = []kit.Function{
	stripsidecar.Function,
	profiles.Function,
	ambientmesh.Function,
	kservegateway.Function,
	kgatewayroute.Function,
	syncwave.Function,
	argocdapps.Function,
}

// Kind is the chain's functionConfig kind.
const Kind = "KubeflowGitops"

// Function is the whole pipeline as one KRM function. Its typed config nests
// each step's config under the step's name in camelCase
// (stripIstioSidecar: {...}), `skip` lists step names not to run and
// `failOn` applies to every step.
var Function kit.Function = pipeline{}

type pipeline struct{}

func (pipeline) Name() string       { return "kubeflow-gitops" }
func (pipeline) ConfigKind() string { return Kind }

func (pipeline) RemovableKinds() []kit.GroupKind {
	var kinds []kit.GroupKind
	for _, s := range Steps {
		kinds = append(kinds, s.RemovableKinds()...)
	}
	return kinds
}

func (pipeline) SetsPathAnnotations() bool {
	for _, s := range Steps {
		if s.SetsPathAnnotations() {
			return true
		}
	}
	return false
}

// Config is the decoded chain config: step configs by step name.
type Config struct {
	Skip []string
	// FailOn applies to every step, as if each step's config set it: with
	// warning, the first step that warns fails the chain. A step's own
	// failOn: warning also fails it.
	FailOn kit.FailOn
	Steps  map[string]json.RawMessage
}

func (p pipeline) Process(rl *fn.ResourceList) bool {
	return p.ProcessReporting(rl, func(string, fn.Results) {})
}

// ProcessReporting is Process, reporting each step that ran (and the
// chain itself when its own config is refused).
func (p pipeline) ProcessReporting(rl *fn.ResourceList, report kit.Reporter) bool {
	raw := map[string]json.RawMessage{}
	if err := kit.DecodeConfig(rl.FunctionConfig, Kind, &raw); err != nil {
		return fail(rl, report, err)
	}
	return p.run(rl, raw, report)
}

func (p pipeline) ProcessJSON(rl *fn.ResourceList, config json.RawMessage) bool {
	report := func(string, fn.Results) {}
	raw := map[string]json.RawMessage{}
	if len(config) > 0 && string(config) != "null" {
		if err := kit.DecodeJSON(config, &raw); err != nil {
			return fail(rl, report, err)
		}
	}
	return p.run(rl, raw, report)
}

func (p pipeline) run(rl *fn.ResourceList, raw map[string]json.RawMessage, report kit.Reporter) bool {
	cfg, err := parseConfig(raw)
	if err != nil {
		return fail(rl, report, err)
	}
	skip := map[string]bool{}
	for _, s := range cfg.Skip {
		skip[s] = true
	}
	for _, s := range Steps {
		if skip[s.Name()] {
			continue
		}
		before := len(rl.Results)
		ok := s.ProcessJSON(rl, cfg.Steps[ConfigKey(s)]) && cfg.FailOn.Enforce(&rl.Results, rl.Results[before:], s.Name())
		report(s.Name(), rl.Results[before:])
		if !ok {
			return false // a step failed: later steps would work on a broken bundle
		}
	}
	return true
}

// ConfigKey is a step's key in the chain config: its name in camelCase.
func ConfigKey(s kit.Function) string {
	parts := strings.Split(s.Name(), "-")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

func parseConfig(raw map[string]json.RawMessage) (Config, error) {
	cfg := Config{Steps: map[string]json.RawMessage{}}
	known := map[string]bool{}
	names := map[string]bool{}
	for _, s := range Steps {
		known[ConfigKey(s)] = true
		names[s.Name()] = true
	}
	for key, value := range raw {
		switch {
		case key == "skip":
			if err := json.Unmarshal(value, &cfg.Skip); err != nil {
				return cfg, fmt.Errorf("field \"skip\": expected a list of step names")
			}
			for _, s := range cfg.Skip {
				if !names[s] {
					return cfg, fmt.Errorf("field \"skip\": no step %q", s)
				}
			}
		case key == "failOn":
			if err := json.Unmarshal(value, &cfg.FailOn); err != nil {
				return cfg, fmt.Errorf("field \"failOn\": expected a string")
			}
			if err := cfg.FailOn.Validate(); err != nil {
				return cfg, err
			}
		case known[key]:
			cfg.Steps[key] = value
		default:
			return cfg, fmt.Errorf("unknown field %q (steps: %s)", key, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
		}
	}
	return cfg, nil
}

func fail(rl *fn.ResourceList, report kit.Reporter, err error) bool {
	r := &fn.Result{Severity: fn.Error, Message: Function.Name() + ": " + err.Error()}
	rl.Results = append(rl.Results, r)
	report(Function.Name(), fn.Results{r})
	return false
}
