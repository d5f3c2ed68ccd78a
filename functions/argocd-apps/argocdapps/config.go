package argocdapps

import (
	"fmt"
	"strings"
	"time"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/preset"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Kind is the typed functionConfig kind.
const Kind = "ArgoCDApps"

// Config is the functionConfig. Defaults returns what upstream Kubeflow needs.
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// Preset selects the Kubeflow layout (kubeflow), a neutral one
	// (generic), or, left out, detects it from the bundle (kit/preset).
	// Under generic, the fields below that still hold their Kubeflow
	// default take the generic value (GenericDefaults).
	Preset preset.Preset `json:"preset,omitempty"`
	// Groups are the stages, in sync order: one Application and one
	// directory each.
	Groups []Group `json:"groups"`
	// Rules assign objects to groups; the first matching rule wins.
	Rules []Rule `json:"rules"`
	// DefaultGroup takes objects no rule matches; "" makes such an object
	// an error.
	DefaultGroup string `json:"defaultGroup"`

	// Source is the Git repository the rendered tree is committed to.
	Source Source `json:"source"`
	// Destination is the cluster the Applications deploy to.
	Destination Destination `json:"destination"`
	// Project is the Argo CD AppProject of every Application.
	Project string `json:"project"`
	// ArgoCDNamespace is where Argo CD runs: the Applications and argocd-cm
	// live there.
	ArgoCDNamespace string `json:"argoCDNamespace"`
	// ApplicationNamePrefix is prepended to a group's name to name its
	// Application.
	ApplicationNamePrefix string `json:"applicationNamePrefix"`
	// RootApplication names the app-of-apps Application.
	RootApplication string `json:"rootApplication"`

	// Prune is syncPolicy.automated.prune of every Application, unless a
	// group sets its own or holds a PruneProtectedKinds object.
	Prune bool `json:"prune"`
	// SelfHeal is syncPolicy.automated.selfHeal of every Application.
	SelfHeal bool `json:"selfHeal"`
	// PruneProtectedKinds are kinds whose deletion deletes data (a CRD
	// deletes its custom resources, a Namespace its contents): a group
	// holding one has prune off unless the group says otherwise.
	PruneProtectedKinds []kit.GroupKind `json:"pruneProtectedKinds"`
	// Retry is syncPolicy.retry of every Application. Argo CD never
	// re-runs a failed automated sync of the same revision without it.
	Retry Retry `json:"retry"`
	// RootRetryLimit is the root Application's retry limit (-1: no limit):
	// a child that is not yet Healthy fails the root's sync.
	RootRetryLimit int64 `json:"rootRetryLimit"`

	// HealthCheck emits the argocd-cm health customization for
	// argoproj.io/Application that makes the root wait for each child.
	HealthCheck bool `json:"healthCheck"`
	// Emit selects the output: "all" (the whole tree), "applications"
	// (the group Applications), "bootstrap" (root Application and argocd-cm)
	// or "group:<name>" (the objects of one group).
	Emit string `json:"emit"`
}

// Group is one stage.
type Group struct {
	// Name is the directory and the Application name suffix (a DNS label).
	Name string `json:"name"`
	// Wave is the sync wave of the group's Application in the root
	// Application. Unset: the previous group's wave + 1 (the first: 0).
	Wave *int `json:"wave,omitempty"`
	// Prune overrides Config.Prune and the PruneProtectedKinds rule.
	Prune *bool `json:"prune,omitempty"`
	// ServerSideApply overrides the default: on when the group holds CRDs
	// (large CRDs exceed client-side apply's annotation limit).
	ServerSideApply *bool `json:"serverSideApply,omitempty"`
	// SyncOptions are extra syncPolicy.syncOptions ("Key=value"); they win
	// over the generated ones with the same key.
	SyncOptions []string `json:"syncOptions,omitempty"`
	// IgnoreDifferences are extra spec.ignoreDifferences entries.
	IgnoreDifferences []IgnoreDifference `json:"ignoreDifferences,omitempty"`
}

// Rule assigns the objects it matches to a group.
type Rule struct {
	Match kit.Selector `json:"match"`
	// Waves restricts the rule to objects whose argocd.argoproj.io/sync-wave
	// lies in a range: "1" (exactly), "1.." (at least), "..-2" (at most),
	// "0..3". Objects without a wave never match a rule with Waves.
	Waves string `json:"waves,omitempty"`
	Group string `json:"group"`
}

// Source is where Argo CD reads the tree.
type Source struct {
	RepoURL        string `json:"repoURL"`
	TargetRevision string `json:"targetRevision"`
	// BasePath is the package directory inside the repository; a group's
	// Application syncs <basePath>/<group>.
	BasePath string `json:"basePath"`
}

// Destination is an Argo CD destination cluster, by server URL or by name;
// neither is the in-cluster server, DefaultServer.
type Destination struct {
	Server string `json:"server,omitempty"`
	Name   string `json:"name,omitempty"`
}

// Retry is Argo CD's syncPolicy.retry. Retry, Backoff and IgnoreDifference
// are written into the Applications as they are; their yaml tags keep
// Argo CD's field order.
type Retry struct {
	// Limit is the number of retries; -1 means no limit.
	Limit   int64   `json:"limit" yaml:"limit"`
	Backoff Backoff `json:"backoff" yaml:"backoff"`
}

// Backoff is Argo CD's retry backoff; durations are Go durations ("5s").
type Backoff struct {
	Duration    string `json:"duration" yaml:"duration"`
	Factor      int64  `json:"factor" yaml:"factor"`
	MaxDuration string `json:"maxDuration" yaml:"maxDuration"`
}

// IgnoreDifference is Argo CD's spec.ignoreDifferences entry.
type IgnoreDifference struct {
	Group                 string   `json:"group,omitempty" yaml:"group,omitempty"`
	Kind                  string   `json:"kind" yaml:"kind"`
	Name                  string   `json:"name,omitempty" yaml:"name,omitempty"`
	Namespace             string   `json:"namespace,omitempty" yaml:"namespace,omitempty"`
	JSONPointers          []string `json:"jsonPointers,omitempty" yaml:"jsonPointers,omitempty"`
	JQPathExpressions     []string `json:"jqPathExpressions,omitempty" yaml:"jqPathExpressions,omitempty"`
	ManagedFieldsManagers []string `json:"managedFieldsManagers,omitempty" yaml:"managedFieldsManagers,omitempty"`
}

// Emit modes.
const (
	EmitAll          = "all"
	EmitApplications = "applications"
	EmitBootstrap    = "bootstrap"
	EmitGroupPrefix  = "group:"
)

// Validate checks names, references between groups and rules, ranges and
// durations, naming the field at fault.
func (c *Config) Validate() error {
	if err := c.Preset.Validate(); err != nil {
		return err
	}
	names, err := c.validateGroups()
	if err != nil {
		return err
	}
	if err := c.validateRules(names); err != nil {
		return err
	}
	if c.DefaultGroup != "" && !names[c.DefaultGroup] {
		return fmt.Errorf("defaultGroup %q: not one of groups", c.DefaultGroup)
	}
	if err := c.validateArgoCD(); err != nil {
		return err
	}
	if err := c.Retry.validate(); err != nil {
		return err
	}
	switch {
	case c.Emit == EmitAll, c.Emit == EmitApplications, c.Emit == EmitBootstrap:
	case strings.HasPrefix(c.Emit, EmitGroupPrefix) && names[strings.TrimPrefix(c.Emit, EmitGroupPrefix)]:
	default:
		return fmt.Errorf("emit %q: want all, applications, bootstrap or group:<name> of one of groups", c.Emit)
	}
	return nil
}

// validateGroups checks every group and returns the set of their names.
func (c *Config) validateGroups() (map[string]bool, error) {
	if len(c.Groups) == 0 {
		return nil, fmt.Errorf("groups: at least one group is needed")
	}
	names := map[string]bool{}
	waves := c.groupWaves()
	for i := range c.Groups {
		g := &c.Groups[i]
		field := fmt.Sprintf("groups[%d]", i)
		if err := kit.CheckDNSLabel(field+".name", g.Name); err != nil {
			return nil, err
		}
		if g.Name == AppsDir || g.Name == BootstrapDir {
			return nil, fmt.Errorf("%s.name %q: reserved for the directories of the Applications", field, g.Name)
		}
		if names[g.Name] {
			return nil, fmt.Errorf("%s.name %q: duplicate group", field, g.Name)
		}
		names[g.Name] = true
		if i > 0 && waves[i] < waves[i-1] {
			return nil, fmt.Errorf("%s.wave %d: lower than the previous group's wave %d; groups are listed in sync order", field, waves[i], waves[i-1])
		}
		if err := g.validateSyncSettings(field); err != nil {
			return nil, err
		}
		app := c.ApplicationNamePrefix + g.Name
		if errs := validation.IsDNS1123Subdomain(app); len(errs) > 0 {
			return nil, fmt.Errorf("applicationNamePrefix %q: Application name %q: %s", c.ApplicationNamePrefix, app, strings.Join(errs, "; "))
		}
	}
	return names, nil
}

// validateSyncSettings checks what a group adds to its Application's sync:
// syncOptions and ignoreDifferences.
func (g *Group) validateSyncSettings(field string) error {
	for j, opt := range g.SyncOptions {
		if k, _, ok := strings.Cut(opt, "="); !ok || k == "" {
			return fmt.Errorf("%s.syncOptions[%d] %q: want Key=value", field, j, opt)
		}
	}
	for j, d := range g.IgnoreDifferences {
		if d.Kind == "" {
			return fmt.Errorf("%s.ignoreDifferences[%d].kind: required", field, j)
		}
		if len(d.JSONPointers)+len(d.JQPathExpressions)+len(d.ManagedFieldsManagers) == 0 {
			return fmt.Errorf("%s.ignoreDifferences[%d]: set jsonPointers, jqPathExpressions or managedFieldsManagers", field, j)
		}
	}
	return nil
}

// validateRules checks that every rule names one of groups and matches
// something well-formed.
func (c *Config) validateRules(groups map[string]bool) error {
	for i, r := range c.Rules {
		field := fmt.Sprintf("rules[%d]", i)
		if !groups[r.Group] {
			return fmt.Errorf("%s.group %q: not one of groups", field, r.Group)
		}
		if err := r.Match.Validate(); err != nil {
			return fmt.Errorf("%s.match: %w", field, err)
		}
		if _, err := parseWaveRange(r.Waves); err != nil {
			return fmt.Errorf("%s.waves: %w", field, err)
		}
	}
	return nil
}

// validateArgoCD checks where the Applications read from, deploy to and live.
func (c *Config) validateArgoCD() error {
	if c.Source.RepoURL == "" {
		return fmt.Errorf("source.repoURL: required")
	}
	if c.Source.TargetRevision == "" {
		return fmt.Errorf("source.targetRevision: required")
	}
	if c.Destination.Server != "" && c.Destination.Name != "" {
		return fmt.Errorf("destination: set server or name, not both")
	}
	if c.Project == "" {
		return fmt.Errorf("project: required")
	}
	if err := kit.CheckDNSLabel("argoCDNamespace", c.ArgoCDNamespace); err != nil {
		return err
	}
	if err := kit.CheckDNSSubdomain("rootApplication", c.RootApplication); err != nil {
		return err
	}
	return nil
}

func (r Retry) validate() error {
	for _, d := range []struct{ field, value string }{
		{"retry.backoff.duration", r.Backoff.Duration},
		{"retry.backoff.maxDuration", r.Backoff.MaxDuration},
	} {
		if _, err := time.ParseDuration(d.value); err != nil {
			return fmt.Errorf("%s %q: want a duration such as 5s or 3m", d.field, d.value)
		}
	}
	if r.Backoff.Factor < 1 {
		return fmt.Errorf("retry.backoff.factor %d: want at least 1", r.Backoff.Factor)
	}
	return nil
}
