package backup

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// systemNamespaces are never a profile's: left out when the profile
// namespaces are given by glob.
var systemNamespaces = []string{"default", "kube-node-lease", "kube-public", "kube-system"}

// plan is the Backup template of each enabled data set that has
// namespaces.
type plan struct {
	cfg       *Config
	b         *bundle
	excluded  []string
	templates map[string]backupSpec
	hooks     int
}

func newPlan(cfg *Config, b *bundle, excluded []string) *plan {
	p := &plan{cfg: cfg, b: b, excluded: excluded, templates: map[string]backupSpec{}}
	for _, set := range cfg.DataSets {
		var t backupSpec
		t.IncludedNamespaces = b.members(set, excluded)
		if set == DataSetProfiles {
			t = p.profilesTemplate(t.IncludedNamespaces)
		}
		// An empty includedNamespaces is every namespace to Velero:
		// such a Schedule is not emitted.
		if len(t.IncludedNamespaces) > 0 {
			p.templates[set] = t
		}
	}
	return p
}

// profilesTemplate covers the profile namespaces the bundle declares and
// namespaces.extra, and every Profile of the cluster (a cluster-scoped
// kind, listed in the scoped filter): Velero selects the objects of a
// backup by label, never whole namespaces by their label (a labelSelector
// would also have to match each PVC and Pod), so profiles created at run
// time are covered by name or glob only.
func (p *plan) profilesTemplate(declared []string) backupSpec {
	var t backupSpec
	t.IncludedClusterScopedResources = []string{ProfileResource}
	extra := p.cfg.Namespaces.Extra
	if slices.Contains(extra, "*") {
		t.IncludedNamespaces = []string{"*"}
	} else {
		t.IncludedNamespaces = append(declared, extra...)
		slices.Sort(t.IncludedNamespaces)
		t.IncludedNamespaces = slices.Compact(t.IncludedNamespaces)
	}
	if slices.ContainsFunc(t.IncludedNamespaces, isGlob) {
		t.ExcludedNamespaces = p.notProfiles()
	}
	return t
}

// notProfiles are the namespaces a glob of profile namespaces must not
// take: the platform's, dex's, Velero's, the system's and the excluded.
func (p *plan) notProfiles() []string {
	out := append(slices.Clone(systemNamespaces), p.excluded...)
	for ns, set := range p.b.namespaces {
		if set != DataSetProfiles {
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// setOf is the enabled data set whose Schedule covers the namespace, "" if
// none does. A namespace the bundle has no Namespace for is the profiles
// Schedule's when a name or glob of namespaces.extra takes it.
func (p *plan) setOf(ns string) string {
	if matchesAny(p.excluded, ns) {
		return ""
	}
	if set, known := p.b.namespaces[ns]; known {
		if _, on := p.templates[set]; on {
			return set
		}
		return ""
	}
	if t, on := p.templates[DataSetProfiles]; on && matchesAny(t.IncludedNamespaces, ns) && !matchesAny(t.ExcludedNamespaces, ns) {
		return DataSetProfiles
	}
	return ""
}

// hookDatabases adds a dump hook per MySQL server to the Schedule that
// backs up its namespace, or reports why it gets none: fail closed unless
// allowCrashConsistent.
func (p *plan) hookDatabases(rs *fn.Results, dbs []database) {
	for _, d := range dbs {
		o := d.w.obj
		set := p.setOf(o.GetNamespace())
		switch {
		case set == "":
			kit.Info(rs, o, "", "%s: not backed up: namespace %s is in no Schedule (dataSets %s, namespaces.excluded)", d.describe(), o.GetNamespace(), strings.Join(p.cfg.DataSets, ", "))
		case p.cfg.Hooks && d.command != nil:
			p.addHook(set, d)
			kit.Info(rs, o, d.containerField(), "%s: dumped consistently (%s --single-transaction) into %s on claim %s before each %s backup", d.describe(), d.tool, d.dumpFile, d.claim, set)
		case p.cfg.AllowCrashConsistent:
			kit.Warning(rs, o, d.containerField(), "%s: backed up crash-consistent, as its volume is on disk (allowCrashConsistent): %s", d.describe(), d.reason(p.cfg.Hooks))
		default:
			kit.Error(rs, o, d.containerField(), "%s: cannot be backed up consistently: %s; fix that, or set allowCrashConsistent: true to back its volume up as it is on disk", d.describe(), d.reason(p.cfg.Hooks))
		}
	}
}

func (d database) reason(hooks bool) string {
	if !hooks {
		return "hooks are off, so nothing dumps it before the backup"
	}
	return d.problem
}

// containerField is the container's field path in the pod template.
func (d database) containerField() string {
	for i, c := range d.w.pod.Spec.Containers {
		if c.Name == d.container.Name {
			return fmt.Sprintf("spec.template.spec.containers[%d]", i)
		}
	}
	return ""
}

func (p *plan) addHook(set string, d database) {
	t := p.templates[set]
	if t.Hooks == nil {
		t.Hooks = &backupHooks{}
	}
	sel := d.w.selector
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		sel = nil
	}
	h := hookSpec{
		Name:               fmt.Sprintf("mysqldump-%s-%s", d.w.obj.GetNamespace(), d.w.obj.GetName()),
		IncludedNamespaces: []string{d.w.obj.GetNamespace()},
		IncludedResources:  []string{"pods"},
		LabelSelector:      &kit.LabelSelector{MatchLabels: d.w.pod.Labels},
		Pre:                []hook{{Exec: execHook{Container: d.container.Name, Command: d.command, OnError: "Fail", Timeout: normalDuration(p.cfg.HookTimeout)}}},
	}
	if sel != nil {
		h.LabelSelector = selectorOf(sel)
	}
	t.Hooks.Resources = append(t.Hooks.Resources, h)
	p.templates[set] = t
	p.hooks++
}

// noteSeaweedFS says how the artifact store's volume is backed up.
func (p *plan) noteSeaweedFS(rs *fn.Results) {
	for _, w := range p.b.workloads {
		if !w.hasImage("seaweedfs") || p.setOf(w.obj.GetNamespace()) == "" {
			continue
		}
		var claims []string
		for _, c := range w.claims {
			claims = append(claims, c)
		}
		sort.Strings(claims)
		if len(claims) == 0 {
			kit.Warning(rs, w.obj, "spec.template.spec.volumes", "SeaweedFS %s: no PersistentVolumeClaim: its buckets are lost with the pod and no backup can carry them", w.describe())
			continue
		}
		kit.Info(rs, w.obj, "spec.template.spec.volumes", "SeaweedFS %s: buckets backed up with claim %s, crash-consistent (SeaweedFS has no quiesce; objects written during the backup may be missing, see docs/backup-restore.md)",
			w.describe(), strings.Join(claims, ", "))
	}
}
