// Package placement places workloads by rules: node selectors, tolerations
// and affinity on their pod templates, requests and limits from presets,
// replicas, and HorizontalPodAutoscalers and PodDisruptionBudgets where the
// workload runs several replicas safely. It is off until rules are given.
package placement

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/preset"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FunctionName is the function's name, also the directory kpt writes its
// objects to.
const FunctionName = "placement"

// rendered are the kinds a re-run replaces when they carry the marker.
var rendered = []kit.GroupKind{kit.HorizontalPodAutoscalerKind, kit.PodDisruptionBudgetKind}

// Function is placement.
var Function = kit.Definition[Config]{
	FunctionName: FunctionName,
	Kind:         Kind,
	Defaults:     Defaults,
	Run:          Run,
	Removes:      rendered,
}

// planner is one run's view of the bundle and what it renders.
type planner struct {
	cfg       *Config
	preset    preset.Preset
	scope     *kit.Scope
	presets   map[string]Resources
	items     fn.KubeObjects // editable items, for the bundle's own autoscalers and budgets
	workloads fn.KubeObjects
	hpaRule   map[*fn.KubeObject]string
	hpaMin    map[*fn.KubeObject]int32
	pdbRule   map[*fn.KubeObject]string
	rendered  fn.KubeObjects
}

// Run applies the rules to rl.
func Run(rl *fn.ResourceList, cfg *Config) error {
	if len(cfg.Rules) == 0 {
		kit.Summary(&rl.Results, "%s: no rules, nothing changed; give rules (match, and nodeSelector, tolerations, affinity, resources, replicas, autoscaling or disruptionBudget) to place workloads", FunctionName)
		return nil
	}
	rl.Items = kit.RemoveRendered(rl.Items, ManagedBy, rendered)
	res := preset.Resolve(cfg.Preset, rl.Items)
	p := &planner{cfg: cfg, preset: res.Preset, scope: kit.NewScope(rl.Items), presets: cfg.presets(),
		items: kit.EditableItems(rl.Items), hpaRule: map[*fn.KubeObject]string{}, hpaMin: map[*fn.KubeObject]int32{}, pdbRule: map[*fn.KubeObject]string{}}
	for _, o := range p.items {
		if isOneOf(kit.GroupKindOf(o), workloadKinds) {
			p.workloads = append(p.workloads, o)
		}
	}
	matched := make([]fn.KubeObjects, len(cfg.Rules))
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		for _, o := range p.workloads {
			if r.matches(o, p.scope) {
				matched[i] = append(matched[i], o)
			}
		}
		if err := p.place(&rl.Results, i, matched[i]); err != nil {
			return err
		}
	}
	// Autoscalers and budgets come after every rule's edits: they depend on
	// the requests and replicas the workload ends up with.
	for _, step := range []func(*fn.KubeObject, *Rule, *findings) error{p.autoscale, p.budget} {
		for i := range cfg.Rules {
			if err := p.scale(&rl.Results, i, matched[i], step); err != nil {
				return err
			}
		}
	}
	rl.Items = append(rl.Items, p.rendered...)
	kit.Summary(&rl.Results, "%s: preset %s (%s); %s matching %s, %s, %s",
		FunctionName, res.Preset, res.Reason, kit.Plural(len(cfg.Rules), "rule"), kit.Plural(placedCount(matched), "workload"),
		kit.Plural(len(p.hpaMin), "HorizontalPodAutoscaler"), kit.Plural(len(p.pdbRule), "PodDisruptionBudget"))
	return nil
}

// place applies rule i's scheduling, resources and replicas to the
// workloads it matched.
func (p *planner) place(rs *fn.Results, i int, matched fn.KubeObjects) error {
	r := &p.cfg.Rules[i]
	label := fmt.Sprintf("rules[%d] %s", i, r.Name)
	if len(matched) == 0 {
		*rs = append(*rs, &fn.Result{Severity: fn.Warning, Message: fmt.Sprintf("%s: %s matches no workload", FunctionName, label)})
		return nil
	}
	seen := map[string]bool{}
	for _, o := range matched {
		var fs findings
		id := kit.IDOf(o)
		err := kit.EditRNode(o, func(rn *yaml.RNode) error {
			return p.edit(rn, id, r, &fs, seen)
		})
		if err != nil {
			return kit.Errorf(o, "", "%s: %w", label, err)
		}
		fs.report(rs, o, label)
	}
	if r.Resources == nil {
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(r.Resources.Containers)) {
		if !seen[name] {
			*rs = append(*rs, &fn.Result{Severity: fn.Warning,
				Message: fmt.Sprintf("%s: %s resources.containers.%s: no workload the rule matches has a container of that name", FunctionName, label, name)})
		}
	}
	return nil
}

// edit is one rule on one workload's YAML (the object itself is empty
// meanwhile: id is its identity).
func (p *planner) edit(rn *yaml.RNode, id kit.ObjectID, r *Rule, fs *findings, seen map[string]bool) error {
	if e, ok := p.disagrees(id, r); ok {
		fs.fail("", "the rule says scaling %s, but this Kubeflow component is %s: %s", r.Scaling, e.Scaling, e.Reason)
		return nil
	}
	tmpl, ok := podTemplate(rn, id.GroupKind)
	if !ok {
		fs.fail("", "no pod template at %s", templatePath(id.GroupKind))
		return nil
	}
	if err := schedule(tmpl, r, fs); err != nil {
		return err
	}
	if r.Resources != nil {
		names, err := setResources(tmpl, r.Resources, p.presets, fs)
		if err != nil {
			return err
		}
		for _, n := range names {
			seen[n] = true
		}
	}
	return p.setReplicas(rn, id, r, fs)
}

// scale runs one of the autoscaler and budget steps for rule i.
func (p *planner) scale(rs *fn.Results, i int, matched fn.KubeObjects, step func(*fn.KubeObject, *Rule, *findings) error) error {
	r := &p.cfg.Rules[i]
	if r.Autoscaling == nil && r.DisruptionBudget == nil {
		return nil
	}
	label := fmt.Sprintf("rules[%d] %s", i, r.Name)
	for _, o := range matched {
		if _, ok := p.disagrees(kit.IDOf(o), r); ok {
			continue // reported by place
		}
		var fs findings
		if err := step(o, r, &fs); err != nil {
			return kit.Errorf(o, "", "%s: %w", label, err)
		}
		fs.report(rs, o, label)
	}
	return nil
}

func placedCount(matched []fn.KubeObjects) int {
	seen := map[*fn.KubeObject]bool{}
	for _, m := range matched {
		for _, o := range m {
			seen[o] = true
		}
	}
	return len(seen)
}
