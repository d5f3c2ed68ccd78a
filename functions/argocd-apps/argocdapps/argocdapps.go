// Package argocdapps lays a rendered platform out as a GitOps tree for Argo
// CD: one directory and one Application per stage (CRDs, cert-manager,
// infrastructure, Kubeflow, profiles), an app-of-apps over them, and the
// Application health check that makes the app-of-apps wait for each stage.
package argocdapps

import (
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// GeneratedByAnnotation marks the objects this function creates, so that a
// second run replaces them instead of grouping them.
const GeneratedByAnnotation = "fn.kfgitops.dev/generated-by"

const functionName = "argocd-apps"

// Function is argocd-apps.
var Function = kit.Definition[Config]{
	FunctionName: functionName,
	Kind:         Kind,
	Defaults:     Defaults,
	Run:          Run,
	// A re-run replaces the Applications it generated before; one of a
	// group that no longer exists goes away.
	Removes: []kit.GroupKind{argocd.ApplicationKind},
	// Every object's path annotation says where kpt writes it in the tree.
	SetsPaths: true,
}

// Run groups the objects, sets their paths and adds the Applications.
func Run(rl *fn.ResourceList, cfg *Config) error {
	var content fn.KubeObjects
	previous := map[*fn.KubeObject]bool{}
	for _, o := range kit.EditableItems(rl.Items) {
		if o.GetAnnotations()[GeneratedByAnnotation] == functionName {
			previous[o] = true
		} else {
			content = append(content, o)
		}
	}
	if len(content) == 0 {
		// A re-run over a filtered output (emit: applications or
		// bootstrap) holds only generated objects: keep them.
		kit.Summary(&rl.Results, "%s: no objects to group; %d generated objects passed through", functionName, len(previous))
		return nil
	}
	cfg = resolvePreset(content, cfg, &rl.Results)
	scope := kit.NewScope(content)
	assigned, noWave, ok := groupObjects(&rl.Results, cfg, content, scope)
	if !ok {
		return nil // the error results name each object; nothing is changed
	}

	waves := cfg.groupWaves()
	apps := make([]groupApp, len(cfg.Groups))
	for i, g := range cfg.Groups {
		apps[i] = groupApp{group: g, wave: waves[i]}
	}
	for i, o := range content {
		a := &apps[assigned[i].group]
		a.objects = append(a.objects, o)
	}
	if err := setPaths(content, scope, apps); err != nil {
		return err
	}

	generated, err := buildApplications(&rl.Results, cfg, apps)
	if err != nil {
		return err
	}
	if err := checkClashes(&rl.Results, content, &generated); err != nil {
		return err
	}
	if generated.health != nil {
		kit.Info(&rl.Results, generated.health, "data", "sets %s in argocd-cm: changes the health of every Application on the Argo CD instance (see README)", HealthKey)
	}
	rl.Items = kit.RemoveItems(rl.Items, previous)
	rl.Items = append(rl.Items, generated.all()...)
	rl.Items = kit.RemoveItems(rl.Items, dropForEmit(cfg, apps, generated))

	if cfg.Source.RepoURL == PlaceholderRepoURL || cfg.Source.RepoURL == GenericPlaceholderRepoURL {
		kit.Warning(&rl.Results, nil, "", "%s: source.repoURL is the placeholder %s: set it to the Git repository the tree is committed to", functionName, cfg.Source.RepoURL)
	}
	if noWave > 0 {
		kit.Warning(&rl.Results, nil, "", "%s: %s no %s and were grouped by the rules without waves or by defaultGroup (run set-sync-wave before argocd-apps)", functionName, objectCount(noWave)+" have", argocd.SyncWaveAnnotation)
	}
	kit.Summary(&rl.Results, "%s: %s in %s; %d Applications; emit %s", functionName, objectCount(len(content)), groupCounts(apps), generated.applications(), cfg.Emit)
	return nil
}

// setPaths gives every object its file in its group's directory, after
// checking that no two objects share one.
func setPaths(content fn.KubeObjects, scope *kit.Scope, apps []groupApp) error {
	paths := newPathNamer(content, scope)
	files := map[*fn.KubeObject]string{}
	owner := map[string]*fn.KubeObject{}
	for _, a := range apps {
		for _, o := range a.objects {
			p := paths.path(a.group.Name, o)
			if other, taken := owner[p]; taken {
				return kit.Errorf(o, "metadata.name", "file %s is also the file of %s %s; rename one of them",
					p, other.GetKind(), strings.TrimPrefix(other.GetNamespace()+"/"+other.GetName(), "/"))
			}
			owner[p], files[o] = o, p
		}
	}
	for _, o := range content {
		if err := setPath(o, files[o]); err != nil {
			return err
		}
	}
	return nil
}

// generatedObjects are the objects this function adds.
type generatedObjects struct {
	groupApps []*fn.KubeObject // by group, nil for an empty group
	root      *fn.KubeObject
	health    *fn.KubeObject // nil unless healthCheck
}

func (g generatedObjects) all() fn.KubeObjects {
	var out fn.KubeObjects
	for _, o := range g.groupApps {
		if o != nil {
			out = append(out, o)
		}
	}
	out = append(out, g.root)
	if g.health != nil {
		out = append(out, g.health)
	}
	return out
}

// applications counts the Applications, the root included.
func (g generatedObjects) applications() int {
	n := 1
	for _, o := range g.groupApps {
		if o != nil {
			n++
		}
	}
	return n
}

func buildApplications(rs *fn.Results, cfg *Config, apps []groupApp) (generatedObjects, error) {
	b := appBuilder{cfg: cfg}
	var g generatedObjects
	for _, a := range apps {
		if len(a.objects) == 0 {
			g.groupApps = append(g.groupApps, nil)
			kit.Summary(rs, "%s: group %s is empty: no Application", functionName, a.group.Name)
			continue
		}
		app, d, err := b.groupApplication(a)
		if err != nil {
			return g, fmt.Errorf("group %s: %w", a.group.Name, err)
		}
		g.groupApps = append(g.groupApps, app)
		msg := fmt.Sprintf("group %s: wave %d, %s", a.group.Name, a.wave, objectCount(len(a.objects)))
		if len(d.why) > 0 {
			msg += "; " + strings.Join(d.why, "; ")
		}
		kit.Info(rs, app, "spec.syncPolicy", "%s", msg)
	}
	var err error
	if g.root, err = b.rootApplication(); err != nil {
		return g, fmt.Errorf("root Application: %w", err)
	}
	if cfg.HealthCheck {
		if g.health, err = b.healthConfigMap(); err != nil {
			return g, err
		}
	}
	return g, nil
}

// checkClashes keeps generated objects from colliding with the bundle's own:
// an Application of the same name is an error; a bundle that brings its own
// argocd-cm (it renders Argo CD too) gets no second one, and a warning to
// put the health check there.
func checkClashes(rs *fn.Results, content fn.KubeObjects, g *generatedObjects) error {
	key := func(o *fn.KubeObject) string {
		return kit.GroupKindOf(o).String() + " " + o.GetNamespace() + "/" + o.GetName()
	}
	own := map[string]*fn.KubeObject{}
	for _, o := range content {
		own[key(o)] = o
	}
	for _, o := range g.all() {
		theirs, clash := own[key(o)]
		switch {
		case !clash:
		case o == g.health:
			kit.Warning(rs, theirs, "data", "the bundle has its own argocd-cm: no second one is emitted; add the key %s from the README there", HealthKey)
			g.health = nil
		default:
			return kit.Errorf(theirs, "metadata.name", "the bundle has its own %s %s/%s, which argocd-apps generates: rename it, or change applicationNamePrefix or rootApplication",
				o.GetKind(), o.GetNamespace(), o.GetName())
		}
	}
	return nil
}

// dropForEmit lists what the emit mode leaves out.
func dropForEmit(cfg *Config, apps []groupApp, g generatedObjects) map[*fn.KubeObject]bool {
	drop := map[*fn.KubeObject]bool{}
	if cfg.Emit == EmitAll {
		return drop
	}
	keepGroup := strings.TrimPrefix(cfg.Emit, EmitGroupPrefix)
	if !strings.HasPrefix(cfg.Emit, EmitGroupPrefix) {
		keepGroup = ""
	}
	for _, a := range apps {
		if a.group.Name == keepGroup {
			continue
		}
		for _, o := range a.objects {
			drop[o] = true
		}
	}
	for _, o := range g.all() {
		drop[o] = true
	}
	switch cfg.Emit {
	case EmitApplications:
		for _, o := range g.groupApps {
			delete(drop, o)
		}
	case EmitBootstrap:
		delete(drop, g.root)
		delete(drop, g.health)
	}
	return drop
}

func objectCount(n int) string {
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}

func groupCounts(apps []groupApp) string {
	parts := make([]string, 0, len(apps))
	for _, a := range apps {
		parts = append(parts, fmt.Sprintf("%s %d", a.group.Name, len(a.objects)))
	}
	return fmt.Sprintf("%d groups (%s)", len(apps), strings.Join(parts, ", "))
}
