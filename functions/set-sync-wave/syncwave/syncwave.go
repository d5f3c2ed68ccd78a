// Package syncwave gives every object of a bundle an Argo CD sync wave, from
// ordered rules and from the dependencies between the objects, and the sync
// options large or CRD-dependent objects need, so that a first sync
// converges without retries.
package syncwave

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Function is set-sync-wave.
var Function = kit.Definition[Config]{FunctionName: "set-sync-wave", Kind: Kind, Defaults: Defaults, Run: Run}

const waveField = "metadata.annotations." + argocd.SyncWaveAnnotation

// Run places every editable object in a wave.
func Run(rl *fn.ResourceList, cfg *Config) error {
	items := kit.EditableItems(rl.Items)
	scope := kit.NewScope(items)
	nodes, err := initialWaves(items, scope, cfg)
	if err != nil {
		return err
	}
	b := newBundle(nodes, items, scope)
	var pulled []*node
	if cfg.PullNamespacesForward && !cfg.ValidateOnly {
		pulled = pullNamespacesForward(nodes)
	}
	r := &report{results: &rl.Results, waves: map[int]int{}}
	var g *graph
	if cfg.Dependencies || cfg.ValidateOnly {
		if g, err = b.buildGraph(); err != nil {
			return err
		}
		conflicts := g.solve()
		for _, c := range conflicts {
			kit.Error(&rl.Results, c.at.obj, waveField, "%s", c.message)
		}
		r.violations = len(conflicts)
		if len(conflicts) > 0 && !cfg.ValidateOnly {
			return nil // change nothing
		}
	} else {
		for _, n := range nodes {
			n.wave = n.initial
		}
	}
	for _, n := range pulled {
		if n.wave < n.assigned {
			r.pulled++
			kit.Info(r.results, n.obj, waveField, "wave %d, pulled forward from %d (%s): the lowest wave of the objects in this namespace", n.wave, n.assigned, n.source)
		}
	}
	for _, n := range nodes {
		r.waves[n.wave]++
		if n.raisedBy != nil {
			r.raised++
			kit.Info(r.results, n.obj, waveField, "raised from wave %d (%s) to %d: %s", n.initial, n.source, n.wave, n.raisedBy)
		}
	}
	if g != nil {
		warnSameWaveWebhooks(r, g)
	}
	if cfg.ValidateOnly {
		r.checkServerSideApply(b, cfg)
	} else {
		for _, n := range nodes {
			if err := n.write(); err != nil {
				return err
			}
		}
		if err := r.addSyncOptions(b, cfg); err != nil {
			return err
		}
	}
	r.summary(len(nodes), cfg.ValidateOnly)
	return nil
}

// initialWaves reads kept annotations and applies the rules.
func initialWaves(items fn.KubeObjects, scope *kit.Scope, cfg *Config) ([]*node, error) {
	nodes := make([]*node, 0, len(items))
	for _, o := range items {
		n := &node{obj: o, gk: kit.GroupKindOf(o), namespace: scope.Namespace(o), rank: argocd.KindRank(o.GetKind())}
		wave, has, err := argocd.SyncWave(o)
		switch {
		case cfg.ValidateOnly:
			if err != nil {
				return nil, err
			}
			n.initial, n.pinned, n.source = wave, true, "its annotation"
			if !has {
				n.source = "no annotation, Argo CD's default"
			}
		case has && !cfg.Overwrite:
			if err != nil {
				return nil, err
			}
			n.initial, n.pinned, n.kept, n.source = wave, true, true, "its annotation, kept: overwrite is false"
		default:
			n.initial, n.source = 0, "no rule matched, Argo CD's default"
			for i, rule := range cfg.Rules {
				if rule.Match.Matches(o, scope) {
					n.initial, n.pinned, n.source = *rule.Wave, rule.Pin, fmt.Sprintf("rules[%d]", i)
					break
				}
			}
		}
		n.assigned = n.initial
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// pullNamespacesForward lowers each Namespace that is not pinned to the
// lowest initial wave of the objects in it, and returns those it lowered.
func pullNamespacesForward(nodes []*node) []*node {
	lowest := map[string]int{}
	for _, n := range nodes {
		if ns := n.namespace; ns != "" {
			if w, ok := lowest[ns]; !ok || n.initial < w {
				lowest[ns] = n.initial
			}
		}
	}
	var pulled []*node
	for _, n := range nodes {
		if n.gk != kit.NamespaceKind || n.pinned {
			continue
		}
		if w, ok := lowest[n.obj.GetName()]; ok && w < n.initial {
			n.initial = w
			pulled = append(pulled, n)
		}
	}
	return pulled
}

// write sets the wave annotation where it differs. A kept annotation is
// left as written.
func (n *node) write() error {
	v := strconv.Itoa(n.wave)
	if n.kept || n.obj.GetAnnotation(argocd.SyncWaveAnnotation) == v {
		return nil
	}
	if err := n.obj.SetAnnotation(argocd.SyncWaveAnnotation, v); err != nil {
		return kit.Errorf(n.obj, waveField, "%v", err)
	}
	return nil
}

// report collects the counts for the summary.
type report struct {
	results                  *fn.Results
	waves                    map[int]int
	raised, pulled, warnings int
	violations               int
	serverSideApply, skipDry int
}

// warnSameWaveWebhooks warns about each fail-closed webhook that intercepts
// objects in its backend's wave: Argo CD creates them before it registers
// the webhook on a first sync, but on every later sync they are admitted
// only while the backend serves.
func warnSameWaveWebhooks(r *report, g *graph) {
	type hookKey struct {
		config *node
		index  int
	}
	var order []hookKey
	same := map[hookKey][]string{}
	backend := map[hookKey]*node{}
	for _, e := range g.edges {
		if e.webhook == nil || e.to.wave != e.from.wave {
			continue
		}
		k := hookKey{e.webhookNode, e.webhook.Index}
		if _, seen := same[k]; !seen {
			order = append(order, k)
			backend[k] = e.from
		}
		same[k] = append(same[k], e.to.String())
	}
	for _, k := range order {
		objs := same[k]
		sort.Strings(objs)
		r.warnings++
		kit.Warning(r.results, k.config.obj, fmt.Sprintf("webhooks[%d]", k.index),
			"webhook intercepts objects in the wave of its backend %s (wave %d): Argo CD creates them before it registers the webhook, but later syncs of them fail while the backend is down: %s",
			backend[k], backend[k].wave, strings.Join(objs, ", "))
	}
}

func (r *report) summary(objects int, validateOnly bool) {
	waves := make([]int, 0, len(r.waves))
	for w := range r.waves {
		waves = append(waves, w)
	}
	sort.Ints(waves)
	parts := make([]string, len(waves))
	for i, w := range waves {
		parts[i] = fmt.Sprintf("wave %d: %d", w, r.waves[w])
	}
	if validateOnly {
		kit.Summary(r.results, "set-sync-wave (validate only): %d objects (%s); %d dependencies violated; %d warnings",
			objects, strings.Join(parts, ", "), r.violations, r.warnings)
		return
	}
	kit.Summary(r.results, "set-sync-wave: %d objects (%s); %d raised by dependencies, %d Namespaces pulled forward; ServerSideApply=true added on %d CRDs, SkipDryRunOnMissingResource=true on %d custom resources; %d warnings",
		objects, strings.Join(parts, ", "), r.raised, r.pulled, r.serverSideApply, r.skipDry, r.warnings)
}
