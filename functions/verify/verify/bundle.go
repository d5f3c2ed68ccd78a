package verify

import (
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// bundle indexes the items once for every check.
type bundle struct {
	cfg *Config
	// items are the objects whose well-known fields have the right types:
	// the checks read them through the SDK's accessors, which assume so.
	items fn.KubeObjects
	// all is every object, misshapen the well-known fields of the wrong type.
	all       fn.KubeObjects
	misshapen []shapeProblem
	scope     *kit.Scope
	objects   map[kit.ObjectID]*fn.KubeObject
	byKind    map[kit.GroupKind]fn.KubeObjects
	crds      map[kit.GroupKind]*fn.KubeObject // by the kind each CRD defines
	workloads *workloads
	backends  *kit.Backends
	admission *kit.AdmissionIndex
}

func newBundle(all fn.KubeObjects, cfg *Config) *bundle {
	table := append(append([]kit.PodTemplatePath{}, kit.BuiltinPodTemplatePaths...), kubeflow.PodTemplatePaths...)
	table = append(table, cfg.PodTemplatePaths...)
	items := make(fn.KubeObjects, 0, len(all))
	var misshapen []shapeProblem
	for _, o := range all {
		if p := shapeProblems(o, table); len(p) > 0 {
			misshapen = append(misshapen, p...)
			continue
		}
		items = append(items, o)
	}
	b := &bundle{
		cfg:       cfg,
		items:     items,
		all:       all,
		misshapen: misshapen,
		scope:     kit.NewScope(items),
		objects:   make(map[kit.ObjectID]*fn.KubeObject, len(items)),
		byKind:    map[kit.GroupKind]fn.KubeObjects{},
		crds:      map[kit.GroupKind]*fn.KubeObject{},
		backends:  kit.NewBackends(items),
	}
	for _, o := range items {
		gk := kit.GroupKindOf(o)
		b.objects[kit.ObjectID{GroupKind: gk, Namespace: b.scope.Namespace(o), Name: o.GetName()}] = o
		b.byKind[gk] = append(b.byKind[gk], o)
		if gk == kit.CustomResourceDefinitionKind {
			group, _, _ := o.NestedString("spec", "group")
			kind, _, _ := o.NestedString("spec", "names", "kind")
			b.crds[kit.GroupKind{Group: group, Kind: kind}] = o
		}
	}
	b.workloads = newWorkloads(items, b.scope, table)
	b.admission = kit.NewAdmissionIndex(items, b.scope)
	return b
}

// get returns the object a reference names, or nil.
func (b *bundle) get(gk kit.GroupKind, ns, name string) *fn.KubeObject {
	if cluster, _ := b.scope.ClusterScoped(gk); cluster {
		ns = ""
	}
	return b.objects[kit.ObjectID{GroupKind: gk, Namespace: ns, Name: name}]
}

// exists reports whether a reference resolves, in the bundle or to a
// configured external object.
func (b *bundle) exists(gk kit.GroupKind, ns, name string) bool {
	if b.get(gk, ns, name) != nil {
		return true
	}
	return b.external(gk, ns, name)
}

func (b *bundle) external(gk kit.GroupKind, ns, name string) bool {
	id := kit.ObjectID{GroupKind: gk, Namespace: ns, Name: name}
	for _, r := range b.cfg.ExternalObjects {
		if r.MatchesID(id) {
			return true
		}
	}
	return false
}

// namespaceLabels returns the labels of a Namespace of the bundle (nil when
// the bundle does not hold it).
func (b *bundle) namespaceLabels(ns string) map[string]string {
	if o := b.get(kit.NamespaceKind, "", ns); o != nil {
		return o.GetLabels()
	}
	return nil
}

// wave is the object's sync wave (0 when unset or malformed; the wave
// checks report malformed ones).
func (b *bundle) wave(o *fn.KubeObject) int {
	w, _, _ := argocd.SyncWave(o)
	return w
}
