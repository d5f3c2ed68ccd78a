// Package ambientmesh moves a bundle from Istio sidecars to Istio ambient
// mode: it enrols namespaces, emits waypoints where ztunnel cannot enforce a
// policy, re-targets those policies at the waypoint with their rules intact,
// admits the new ingress identity and opens NetworkPolicies to HBONE.
package ambientmesh

import (
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/preset"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// FunctionName is the function's name, also written on what it generates.
const FunctionName = "ambient-mesh"

// Function is ambient-mesh.
var Function = kit.Definition[Config]{FunctionName: FunctionName, Kind: Kind, Defaults: Defaults, Run: Run}

// Run migrates rl to ambient.
func Run(rl *fn.ResourceList, cfg *Config) error {
	b, err := newBundle(rl.Items)
	if err != nil {
		return err
	}
	m := &migration{cfg: cfg, b: b, results: &rl.Results, skip: map[string]bool{}, ambient: map[string]bool{}, dropped: map[*fn.KubeObject]bool{}}
	m.resolveIngress(preset.Resolve(cfg.Preset, rl.Items))
	for _, k := range cfg.SkipPolicies {
		m.skip[k] = true
	}
	for _, step := range []func() error{
		m.enrolNamespaces,
		m.namespaceLabelsConfigMaps,
		m.profilesConfig,
		m.networkPolicies, // before policies: the waypoint's NetworkPolicy copies their sources
		m.policies,
		m.runtimeObjects,
		func() error { return m.admitAPIServer(rl.Items) }, // last: it reads the policies the others made
		m.inheritNamespaceManager,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	rl.Items = append(kit.RemoveItems(rl.Items, m.dropped), m.added...)
	kit.Summary(&rl.Results, "%s: %s enrolled; %s, %s (%s moved to a waypoint, %d on ztunnel of which %d also copied to the waypoint, %s); %s added; %s edited; %s",
		FunctionName, plural(len(m.ambient), "namespace", "namespaces"), plural(m.waypointsAdded, "waypoint", "waypoints"),
		plural(m.policyCount, "policy classified", "policies classified"), plural(m.moved, "policy", "policies"),
		m.onZtunnel, m.copied, plural(m.left, "left as it is", "left as they are"), plural(len(m.added), "object", "objects"),
		plural(len(m.edited), "object", "objects"), plural(m.warnings, "warning", "warnings"))
	return nil
}

// migration is the state of one run.
type migration struct {
	cfg     *Config
	b       *bundle
	results *fn.Results
	skip    map[string]bool
	ambient map[string]bool // namespaces in ambient, after enrolment
	added   fn.KubeObjects
	dropped map[*fn.KubeObject]bool // an earlier run's objects no longer needed
	edited  map[*fn.KubeObject]bool
	bound   map[string]*waypointState // namespaces with a waypoint
	rt      *runtimeMode              // set when MigrateNamespace drives the migration
	// ingress is the Gateway whose identity replaces the Istio ingress
	// gateway's; nil when there is none (resolveIngress).
	ingress *ingress.Gateway

	waypointsAdded, policyCount, moved, onZtunnel, copied, left, warnings int
}

func (m *migration) info(o *fn.KubeObject, field, format string, a ...any) {
	kit.Info(m.results, o, field, format, a...)
}

func (m *migration) warn(o *fn.KubeObject, field, format string, a ...any) {
	m.warnings++
	kit.Warning(m.results, o, field, format, a...)
}

func (m *migration) touch(o *fn.KubeObject) {
	if m.edited == nil {
		m.edited = map[*fn.KubeObject]bool{}
	}
	m.edited[o] = true
}
