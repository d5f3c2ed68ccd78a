// Package backup emits Velero Schedules for a Kubeflow bundle: one per data
// set (the platform's namespaces, the profile namespaces with every
// Profile, dex's namespace), with a pre-backup hook per MySQL server that
// dumps its databases consistently onto its own volume before the volume is
// backed up.
package backup

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// FunctionName is the function's name, also the directory kpt writes its
// objects to.
const FunctionName = "backup"

// Function is backup.
var Function = kit.Definition[Config]{
	FunctionName: FunctionName,
	Kind:         Kind,
	Defaults:     Defaults,
	Run:          Run,
	Removes:      []kit.GroupKind{ScheduleKind},
}

// Run emits the Schedules into rl.
func Run(rl *fn.ResourceList, cfg *Config) error {
	if !cfg.Enabled() {
		kit.Summary(&rl.Results, "%s: off, nothing emitted: set schedule (a cron expression) to emit Velero Schedules for the data sets %s (see functions/backup/README.md)",
			FunctionName, strings.Join(dataSets, ", "))
		return nil
	}
	rl.Items = kit.RemoveRendered(rl.Items, ManagedBy, []kit.GroupKind{ScheduleKind})
	b, err := readBundle(kit.EditableItems(rl.Items))
	if err != nil {
		return err
	}
	excluded := append(slices.Clone(cfg.Namespaces.Excluded), cfg.VeleroNamespace)
	plan := newPlan(cfg, b, excluded)
	plan.hookDatabases(&rl.Results, findDatabases(b))
	if kit.HasErrors(rl.Results) {
		return nil
	}
	plan.noteSeaweedFS(&rl.Results)
	plan.noteDex(&rl.Results)
	var emitted []string
	for _, set := range dataSets {
		tmpl, ok := plan.templates[set]
		if !ok {
			if slices.Contains(cfg.DataSets, set) {
				kit.Summary(&rl.Results, "%s: data set %s: no namespace of the bundle belongs to it (%s), so no Schedule %s (an empty includedNamespaces is every namespace to Velero)",
					FunctionName, set, members[set], scheduleName(set))
			}
			continue
		}
		o, err := newSchedule(cfg, set, tmpl)
		if err != nil {
			return fmt.Errorf("Schedule %s: %w", scheduleName(set), err)
		}
		rl.Items = append(rl.Items, o)
		kit.Info(&rl.Results, o, "spec.template.includedNamespaces", "%s: namespaces %s%s", set, strings.Join(tmpl.IncludedNamespaces, ", "), describeHooks(tmpl))
		emitted = append(emitted, o.GetName())
	}
	kit.Summary(&rl.Results, "%s: %s (%s) at %q, Backups kept %s, volumes by %s, %s",
		FunctionName, kit.Plural(len(emitted), "Schedule"), strings.Join(emitted, ", "), cfg.Schedule, normalDuration(cfg.TTL), cfg.Volumes, kit.Plural(plan.hooks, "MySQL dump hook"))
	return nil
}

// members says which namespaces make up each data set.
var members = map[string]string{
	DataSetKubeflow: "the bundle's Namespaces that are neither a profile's nor dex's",
	DataSetProfiles: "no Profile, no Namespace labelled " + ProfileNamespaceLabel[0] + ": " + ProfileNamespaceLabel[1] + ", no namespaces.extra; profiles created at run time need namespaces.extra",
	DataSetAuth:     "no dex Deployment",
}

func describeHooks(t backupSpec) string {
	if t.Hooks == nil {
		return ""
	}
	names := make([]string, len(t.Hooks.Resources))
	for i, h := range t.Hooks.Resources {
		names[i] = h.Name
	}
	return "; pre-backup hooks " + strings.Join(names, ", ")
}
