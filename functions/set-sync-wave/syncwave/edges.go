package syncwave

import (
	"fmt"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// podTemplatePaths are where objects embed pod templates, for the
// PriorityClasses they use.
var podTemplatePaths = append(append([]kit.PodTemplatePath{}, kit.BuiltinPodTemplatePaths...), kubeflow.PodTemplatePaths...)

// bundle indexes the objects the edges are built from.
type bundle struct {
	nodes     []*node
	byObject  map[*fn.KubeObject]*node
	crds      map[kit.GroupKind]*node // by the group/kind they define
	backends  *kit.Backends
	admission *kit.AdmissionIndex
}

func newBundle(nodes []*node, items fn.KubeObjects, scope *kit.Scope) *bundle {
	b := &bundle{
		nodes: nodes, byObject: make(map[*fn.KubeObject]*node, len(nodes)),
		crds: map[kit.GroupKind]*node{}, backends: kit.NewBackends(items), admission: kit.NewAdmissionIndex(items, scope),
	}
	for _, n := range nodes {
		b.byObject[n.obj] = n
		if n.gk == kit.CustomResourceDefinitionKind {
			group, _, _ := n.obj.NestedString("spec", "group")
			kind, _, _ := n.obj.NestedString("spec", "names", "kind")
			b.crds[kit.GroupKind{Group: group, Kind: kind}] = n
		}
	}
	return b
}

// backendNodes are the workloads serving a Service, as nodes.
func (b *bundle) backendNodes(svc *kit.ServiceRef) []*node {
	if svc == nil {
		return nil
	}
	var out []*node
	for _, o := range b.backends.Workloads(*svc) {
		if n := b.byObject[o]; n != nil {
			out = append(out, n)
		}
	}
	return out
}

// buildGraph adds every dependency edge of the bundle: the edge kinds of the
// table in set-sync-wave's README, one method each.
func (b *bundle) buildGraph() (*graph, error) {
	g := &graph{nodes: b.nodes}
	b.crdEdges(g)
	b.namespaceEdges(g)
	if err := b.webhookEdges(g); err != nil {
		return nil, err
	}
	b.conversionEdges(g)
	b.apiServiceEdges(g)
	if err := b.priorityClassEdges(g); err != nil {
		return nil, err
	}
	return g, nil
}

// crdEdges: a custom resource needs its CRD established.
func (b *bundle) crdEdges(g *graph) {
	for _, n := range b.nodes {
		if crd := b.crds[n.gk]; crd != nil {
			g.add(crd, n, false, fmt.Sprintf("it is a %s, defined by that CRD", n.gk.Kind))
		}
	}
}

// namespaceEdges: a namespaced object needs its Namespace.
func (b *bundle) namespaceEdges(g *graph) {
	namespaces := map[string]*node{}
	for _, n := range b.nodes {
		if n.gk == kit.NamespaceKind {
			namespaces[n.obj.GetName()] = n
		}
	}
	for _, n := range b.nodes {
		if ns := namespaces[n.namespace]; ns != nil {
			g.add(ns, n, false, "it lives in that namespace")
		}
	}
}

// webhookEdges: a webhook configuration comes no earlier than the workload
// serving it, and every object a fail-closed webhook intercepts comes after
// that workload is ready, unless Argo CD creates the object before it
// registers the webhook.
func (b *bundle) webhookEdges(g *graph) error {
	objs := make([]*fn.KubeObject, len(b.nodes))
	for i, n := range b.nodes {
		objs[i] = n.obj
	}
	requests := b.admission.Requests(objs)
	for _, cfg := range b.nodes {
		hooks, err := kit.AdmissionWebhooks(cfg.obj)
		if err != nil {
			return err
		}
		for _, hook := range hooks {
			backends := b.backendNodes(hook.Service)
			if !hook.FailClosed || len(backends) == 0 {
				continue
			}
			for _, d := range backends {
				g.add(d, cfg, false, fmt.Sprintf("it serves webhook %s, which rejects what it intercepts while nothing serves it", hook.Name))
			}
			for _, i := range requests.Intercepted(hook) {
				x := b.nodes[i]
				if x == cfg {
					continue
				}
				for _, d := range backends {
					e := g.add(d, x, true, fmt.Sprintf("it serves webhook %s of %s (failurePolicy Fail), which intercepts it", hook.Name, cfg))
					e.webhook, e.webhookNode = hook, cfg
				}
			}
		}
	}
	return nil
}

// conversionEdges: custom resources of a CRD with a conversion webhook need
// the webhook's backend ready; while it is down, reads of those resources
// fail cluster-wide.
func (b *bundle) conversionEdges(g *graph) {
	conversions := map[kit.GroupKind][]*node{}
	for gk, crd := range b.crds {
		conversions[gk] = b.backendNodes(kit.ConversionWebhookService(crd.obj))
	}
	for _, n := range b.nodes {
		for _, d := range conversions[n.gk] {
			g.add(d, n, true, fmt.Sprintf("it serves the conversion webhook of the %s CRD", n.gk.Kind))
		}
	}
}

// apiServiceEdges: an APIService comes no earlier than its backend, and
// objects of the API it registers need it available.
func (b *bundle) apiServiceEdges(g *graph) {
	apis := map[string]*node{} // group/version
	for _, n := range b.nodes {
		if n.gk != kit.APIServiceKind {
			continue
		}
		group, version, svc := kit.APIServiceBackend(n.obj)
		apis[group+"/"+version] = n
		for _, d := range b.backendNodes(svc) {
			g.add(d, n, false, "it serves that aggregated API")
		}
	}
	if len(apis) == 0 {
		return
	}
	for _, n := range b.nodes {
		if api := apis[n.obj.GetAPIVersion()]; api != nil {
			g.add(api, n, true, fmt.Sprintf("it is served by that aggregated API (%s)", n.obj.GetAPIVersion()))
		}
	}
}

// priorityClassEdges: pods naming a PriorityClass are rejected until it
// exists, and Argo CD applies PriorityClasses after every workload kind.
func (b *bundle) priorityClassEdges(g *graph) error {
	classes := map[string]*node{}
	for _, n := range b.nodes {
		if n.gk == (kit.GroupKind{Group: "scheduling.k8s.io", Kind: "PriorityClass"}) {
			classes[n.obj.GetName()] = n
		}
	}
	if len(classes) == 0 {
		return nil
	}
	for _, n := range b.nodes {
		if !hasPodTemplates(n.gk) {
			continue
		}
		var used []string
		err := kit.EditRNode(n.obj, func(rn *yaml.RNode) error {
			for _, t := range kit.PodTemplates(rn, n.gk, podTemplatePaths) {
				if v, err := t.Template.Pipe(yaml.Lookup("spec", "priorityClassName")); err == nil && v != nil {
					used = append(used, v.YNode().Value)
				}
			}
			return nil
		})
		if err != nil {
			return kit.Errorf(n.obj, "", "%v", err)
		}
		for _, name := range used {
			if pc := classes[name]; pc != nil {
				g.add(pc, n, false, "its pods use that priorityClassName")
			}
		}
	}
	return nil
}

func hasPodTemplates(gk kit.GroupKind) bool {
	for _, p := range podTemplatePaths {
		if p.Group == gk.Group && p.Kind == gk.Kind {
			return true
		}
	}
	return false
}
