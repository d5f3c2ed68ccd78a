package verify

import (
	"sort"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// workload is an object that runs pods from a pod template, with the labels
// its pods get.
type workload struct {
	Object *fn.KubeObject
	// Path is the template's field path (see kit.PodTemplate).
	Path        string
	Labels      map[string]string
	Annotations map[string]string
}

// workloads indexes every pod template of a bundle by namespace (Jobs,
// Notebooks and other custom resources included), so that Service selectors
// can be resolved to the objects that run the selected pods, and pod
// metadata can be checked.
type workloads struct {
	byNamespace map[string][]workload
}

// newWorkloads indexes every pod template of the items, found through the
// given tables (e.g. kit.BuiltinPodTemplatePaths and kubeflow.PodTemplatePaths).
func newWorkloads(items fn.KubeObjects, scope *kit.Scope, tables ...[]kit.PodTemplatePath) *workloads {
	var table []kit.PodTemplatePath
	for _, t := range tables {
		table = append(table, t...)
	}
	kinds := map[kit.GroupKind]bool{}
	for _, e := range table {
		kinds[kit.GroupKind{Group: e.Group, Kind: e.Kind}] = true
	}
	w := &workloads{byNamespace: map[string][]workload{}}
	for _, o := range items {
		gk := kit.GroupKindOf(o)
		if !kinds[gk] {
			continue
		}
		ns := scope.Namespace(o)
		_ = kit.EditRNode(o, func(rn *yaml.RNode) error {
			for _, t := range kit.PodTemplates(rn, gk, table) {
				w.byNamespace[ns] = append(w.byNamespace[ns], workload{
					Object: o, Path: t.Path, Labels: t.Template.GetLabels(), Annotations: t.Template.GetAnnotations(),
				})
			}
			return nil
		})
	}
	return w
}

// All returns every workload, by namespace and then in bundle order.
func (w *workloads) All() []workload {
	namespaces := make([]string, 0, len(w.byNamespace))
	for ns := range w.byNamespace {
		namespaces = append(namespaces, ns)
	}
	sort.Strings(namespaces)
	var out []workload
	for _, ns := range namespaces {
		out = append(out, w.byNamespace[ns]...)
	}
	return out
}

// Selected returns the workloads in namespace whose pod labels include every
// key and value of selector, in bundle order. An empty selector selects
// nothing, as a Service's does.
func (w *workloads) Selected(namespace string, selector map[string]string) []workload {
	if len(selector) == 0 {
		return nil
	}
	var out []workload
	for _, wl := range w.byNamespace[namespace] {
		if kit.MatchLabels(selector, wl.Labels) {
			out = append(out, wl)
		}
	}
	return out
}

// ServiceBackends returns the workloads a Service's selector picks, and
// whether the Service has a selector at all.
func (w *workloads) ServiceBackends(svc *fn.KubeObject) ([]workload, bool) {
	sel, _, _ := svc.NestedStringMap("spec", "selector")
	return w.Selected(svc.GetNamespace(), sel), len(sel) > 0
}
