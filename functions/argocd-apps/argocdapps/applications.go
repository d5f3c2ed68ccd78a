package argocdapps

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The parts of argoproj.io/v1alpha1 Application this function writes, in
// Argo CD's field order. Argo CD's own Go types pull in its whole module;
// the output is checked against the Application CRD in the tests instead.
// They are written with kyaml's yaml.Marshal (kit.NewObject), whose yaml
// tags keep this field order in the output.
type application struct {
	APIVersion string         `yaml:"apiVersion"`
	Kind       string         `yaml:"kind"`
	Metadata   kit.ObjectMeta `yaml:"metadata"`
	Spec       appSpec        `yaml:"spec"`
}

type appSpec struct {
	Project           string             `yaml:"project"`
	Source            appSource          `yaml:"source"`
	Destination       appDestination     `yaml:"destination"`
	SyncPolicy        syncPolicy         `yaml:"syncPolicy"`
	IgnoreDifferences []IgnoreDifference `yaml:"ignoreDifferences,omitempty"`
}

type appSource struct {
	RepoURL        string `yaml:"repoURL"`
	TargetRevision string `yaml:"targetRevision"`
	Path           string `yaml:"path"`
}

type appDestination struct {
	Server    string `yaml:"server,omitempty"`
	Name      string `yaml:"name,omitempty"`
	Namespace string `yaml:"namespace,omitempty"`
}

type syncPolicy struct {
	Automated   automated `yaml:"automated"`
	SyncOptions []string  `yaml:"syncOptions,omitempty"`
	Retry       Retry     `yaml:"retry"`
}

type automated struct {
	Prune    bool `yaml:"prune"`
	SelfHeal bool `yaml:"selfHeal"`
}

type configMap struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   kit.ObjectMeta    `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
}

// groupApp is what is decided for one group's Application.
type groupApp struct {
	group   Group
	wave    int
	objects fn.KubeObjects
}

// appBuilder builds the Applications from the config.
type appBuilder struct {
	cfg *Config
}

func (b appBuilder) appName(group string) string { return b.cfg.ApplicationNamePrefix + group }

func (b appBuilder) sourcePath(dir string) string {
	return path.Join(b.cfg.Source.BasePath, dir)
}

func (b appBuilder) destination(namespace string) appDestination {
	d := appDestination{Server: b.cfg.Destination.Server, Name: b.cfg.Destination.Name, Namespace: namespace}
	if d.Server == "" && d.Name == "" {
		d.Server = DefaultServer
	}
	return d
}

func (b appBuilder) meta(name, file string, wave *int) kit.ObjectMeta {
	annotations := map[string]string{GeneratedByAnnotation: functionName}
	if wave != nil {
		annotations[argocd.SyncWaveAnnotation] = strconv.Itoa(*wave)
	}
	return kit.ObjectMeta{
		Name:        name,
		Namespace:   b.cfg.ArgoCDNamespace,
		Labels:      map[string]string{"app.kubernetes.io/part-of": b.cfg.RootApplication},
		Annotations: kit.WithPath(annotations, file),
	}
}

// decisions are the per-group settings derived from the group's objects.
type decisions struct {
	prune, serverSideApply bool
	why                    []string
}

func (b appBuilder) decide(ga groupApp) decisions {
	d := decisions{prune: b.cfg.Prune}
	protected := kindsPresent(ga.objects, b.cfg.PruneProtectedKinds)
	switch {
	case ga.group.Prune != nil:
		d.prune = *ga.group.Prune
		if d.prune && len(protected) > 0 {
			d.why = append(d.why, fmt.Sprintf("prune on as configured although the group holds %s: a rename deletes them", strings.Join(protected, ", ")))
		}
	case d.prune && len(protected) > 0:
		d.prune = false
		d.why = append(d.why, fmt.Sprintf("prune off: holds %s (pruneProtectedKinds), whose deletion deletes data", strings.Join(protected, ", ")))
	}
	hasCRDs := len(kindsPresent(ga.objects, []kit.GroupKind{kit.CustomResourceDefinitionKind})) > 0
	switch {
	case ga.group.ServerSideApply != nil:
		d.serverSideApply = *ga.group.ServerSideApply
	case hasCRDs:
		d.serverSideApply = true
		d.why = append(d.why, "ServerSideApply=true: holds CRDs, some beyond client-side apply's 262144-byte annotation limit")
	}
	return d
}

// kindsPresent lists the kinds of the table that occur in objs, in table order.
func kindsPresent(objs fn.KubeObjects, kinds []kit.GroupKind) []string {
	var out []string
	for _, gk := range kinds {
		for _, o := range objs {
			if gk.Is(o) {
				out = append(out, gk.String())
				break
			}
		}
	}
	return out
}

// syncOptions are the generated options followed by the group's own; an own
// option replaces a generated one with the same key.
func syncOptions(d decisions, extra []string) []string {
	opts := []string{"CreateNamespace=false", "RespectIgnoreDifferences=true"}
	if d.serverSideApply {
		opts = append(opts, "ServerSideApply=true")
	}
	for _, e := range extra {
		key, _, _ := strings.Cut(e, "=")
		replaced := false
		for i, o := range opts {
			if k, _, _ := strings.Cut(o, "="); k == key {
				opts[i], replaced = e, true
			}
		}
		if !replaced {
			opts = append(opts, e)
		}
	}
	return opts
}

// groupApplication builds one group's Application.
func (b appBuilder) groupApplication(ga groupApp) (*fn.KubeObject, decisions, error) {
	d := b.decide(ga)
	name := b.appName(ga.group.Name)
	app := application{
		APIVersion: "argoproj.io/v1alpha1",
		Kind:       "Application",
		Metadata:   b.meta(name, path.Join(AppsDir, name+".yaml"), &ga.wave),
		Spec: appSpec{
			Project: b.cfg.Project,
			Source: appSource{
				RepoURL:        b.cfg.Source.RepoURL,
				TargetRevision: b.cfg.Source.TargetRevision,
				Path:           b.sourcePath(ga.group.Name),
			},
			Destination: b.destination(""),
			SyncPolicy: syncPolicy{
				Automated:   automated{Prune: d.prune, SelfHeal: b.cfg.SelfHeal},
				SyncOptions: syncOptions(d, ga.group.SyncOptions),
				Retry:       b.cfg.Retry,
			},
			IgnoreDifferences: append(ignoreDifferences(ga.objects), ga.group.IgnoreDifferences...),
		},
	}
	o, err := kit.NewObject(app)
	return o, d, err
}

// rootApplication builds the app-of-apps over AppsDir. It has no
// ServerSideApply: sync waves were ignored under it (argo-cd#13320).
func (b appBuilder) rootApplication() (*fn.KubeObject, error) {
	retry := b.cfg.Retry
	retry.Limit = b.cfg.RootRetryLimit
	app := application{
		APIVersion: "argoproj.io/v1alpha1",
		Kind:       "Application",
		Metadata:   b.meta(b.cfg.RootApplication, path.Join(BootstrapDir, b.cfg.RootApplication+".yaml"), nil),
		Spec: appSpec{
			Project: b.cfg.Project,
			Source: appSource{
				RepoURL:        b.cfg.Source.RepoURL,
				TargetRevision: b.cfg.Source.TargetRevision,
				Path:           b.sourcePath(AppsDir),
			},
			Destination: b.destination(b.cfg.ArgoCDNamespace),
			SyncPolicy: syncPolicy{
				Automated:   automated{Prune: b.cfg.Prune, SelfHeal: b.cfg.SelfHeal},
				SyncOptions: []string{"CreateNamespace=false"},
				Retry:       retry,
			},
		},
	}
	return kit.NewObject(app)
}

// healthConfigMap is argocd-cm holding only the Application health check;
// applied with server-side apply, it leaves the other keys alone.
func (b appBuilder) healthConfigMap() (*fn.KubeObject, error) {
	meta := b.meta("argocd-cm", path.Join(BootstrapDir, "argocd-cm.yaml"), nil)
	// Argo CD reads only an argocd-cm that carries this label.
	meta.Labels = map[string]string{"app.kubernetes.io/name": "argocd-cm", "app.kubernetes.io/part-of": "argocd"}
	o, err := kit.NewObject(configMap{
		APIVersion: "v1",
		Kind:       "ConfigMap",
		Metadata:   meta,
		Data:       map[string]string{HealthKey: ApplicationHealthLua},
	})
	if err != nil {
		return nil, err
	}
	if err := o.SetHeadComment(argoCDConfigNote, "data"); err != nil {
		return nil, fmt.Errorf("argocd-cm: %w", err)
	}
	return o, nil
}
