package argocdapps

import (
	"fmt"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// assignment is the group an object landed in and why.
type assignment struct {
	group int // index into Config.Groups
	rule  int // index into Config.Rules; -1: the default group
}

// grouper assigns objects to groups by the first matching rule.
type grouper struct {
	rules  []Rule
	ranges []waveRange
	groups map[string]int
	def    int // index of the default group, -1 for none
	scope  *kit.Scope
}

func newGrouper(cfg *Config, scope *kit.Scope) *grouper {
	g := &grouper{rules: cfg.Rules, groups: map[string]int{}, def: -1, scope: scope}
	for i, grp := range cfg.Groups {
		g.groups[grp.Name] = i
	}
	for _, r := range cfg.Rules {
		wr, _ := parseWaveRange(r.Waves) // checked by Validate
		g.ranges = append(g.ranges, wr)
	}
	if i, ok := g.groups[cfg.DefaultGroup]; ok {
		g.def = i
	}
	return g
}

// assign returns the object's group; ok is false when no rule matches and
// there is no default group.
func (g *grouper) assign(o *fn.KubeObject, wave int, hasWave bool) (assignment, bool) {
	for i, r := range g.rules {
		if g.ranges[i].set && (!hasWave || !g.ranges[i].contains(wave)) {
			continue
		}
		if r.Match.Matches(o, g.scope) {
			return assignment{group: g.groups[r.Group], rule: i}, true
		}
	}
	if g.def < 0 {
		return assignment{}, false
	}
	return assignment{group: g.def, rule: -1}, true
}

// describe says which rule placed an object, for results.
func (a assignment) describe() string {
	if a.rule < 0 {
		return "defaultGroup"
	}
	return fmt.Sprintf("rules[%d]", a.rule)
}

// groupObjects assigns every object to a group. Objects without a usable
// wave are reported; objects no rule takes are errors.
func groupObjects(rs *fn.Results, cfg *Config, objs fn.KubeObjects, scope *kit.Scope) (assigned []assignment, noWave int, ok bool) {
	g := newGrouper(cfg, scope)
	assigned = make([]assignment, len(objs))
	ok = true
	for i, o := range objs {
		wave, present, err := argocd.SyncWave(o)
		valid := present && err == nil
		if err != nil {
			kit.Warning(rs, o, "metadata.annotations", "%v; grouped as an object without a wave", err)
		}
		a, found := g.assign(o, wave, valid)
		if !found {
			kit.Error(rs, o, "", "no rule matches and defaultGroup is empty: add a rule for it or set defaultGroup")
			ok = false
			continue
		}
		if !valid {
			noWave++
			kit.Info(rs, o, "metadata.annotations", "no %s: put in group %s by %s", argocd.SyncWaveAnnotation, cfg.Groups[a.group].Name, a.describe())
		}
		assigned[i] = a
	}
	return assigned, noWave, ok
}
