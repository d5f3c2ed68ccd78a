package ambientmesh

import (
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// workload is one pod template of the bundle: the pods a policy or a Service
// selects are found through these.
type workload struct {
	obj       *fn.KubeObject
	labels    map[string]string
	outOfMesh bool // labelled istio.io/dataplane-mode: none
}

type service struct {
	obj      *fn.KubeObject
	selector map[string]string
	pods     []*workload
}

// bundle indexes, once, what the filters look up.
type bundle struct {
	scope      *kit.Scope
	namespaces map[string]*fn.KubeObject
	workloads  map[string][]*workload // by namespace
	services   map[string][]*service  // by namespace, in item order
	policies   []*policy              // AuthorizationPolicies and RequestAuthentications
	// meshPolicyNamespaces hold selector-based Istio security policies
	// (not generated ones): their workloads were in the mesh.
	meshPolicyNamespaces map[string]bool
	netpols              []*fn.KubeObject
	configMaps           []*fn.KubeObject
	gateways             map[string]*fn.KubeObject // Gateway API Gateways by "ns/name"
	routed               map[string]bool           // "ns/name" of Services a VirtualService routes to
	ids                  map[string]*fn.KubeObject // "Kind ns/name" of every item
	// firstObject is the first workload, Service or Istio security policy
	// of each namespace, whether or not its Namespace object is there.
	firstObject map[string]*fn.KubeObject
}

var (
	podTables = append(append([]kit.PodTemplatePath{}, kit.BuiltinPodTemplatePaths...), kubeflow.PodTemplatePaths...)
	podKinds  = func() map[kit.GroupKind]bool {
		m := map[kit.GroupKind]bool{}
		for _, p := range podTables {
			m[kit.GroupKind{Group: p.Group, Kind: p.Kind}] = true
		}
		return m
	}()
)

// meshRelevant: objects of these kinds make a namespace's enrolment matter.
func meshRelevant(gk kit.GroupKind) bool {
	return podKinds[gk] || gk == kit.ServiceKind || gk == istio.AuthorizationPolicyKind || gk == istio.RequestAuthenticationKind || gk == istio.PeerAuthenticationKind
}

func idOf(kind, ns, name string) string { return kind + " " + ns + "/" + name }

func newBundle(items fn.KubeObjects) (*bundle, error) {
	b := &bundle{
		scope:      kit.NewScope(items),
		namespaces: map[string]*fn.KubeObject{},
		workloads:  map[string][]*workload{},
		services:   map[string][]*service{},
		gateways:   map[string]*fn.KubeObject{},
		routed:     map[string]bool{},
		ids:        map[string]*fn.KubeObject{},

		meshPolicyNamespaces: map[string]bool{},
		firstObject:          map[string]*fn.KubeObject{},
	}
	for _, o := range items {
		b.ids[idOf(o.GetKind(), o.GetNamespace(), o.GetName())] = o
	}
	for _, o := range kit.EditableItems(items) {
		gk := kit.GroupKindOf(o)
		ns := b.scope.Namespace(o)
		if _, seen := b.firstObject[ns]; ns != "" && !seen && meshRelevant(gk) {
			b.firstObject[ns] = o
		}
		switch {
		case gk == kit.NamespaceKind:
			b.namespaces[o.GetName()] = o
		case gk == kit.ServiceKind:
			sel, _, _ := o.NestedStringMap("spec", "selector")
			b.services[ns] = append(b.services[ns], &service{obj: o, selector: sel})
		case gk == istio.AuthorizationPolicyKind || gk == istio.RequestAuthenticationKind:
			p, err := newPolicy(o, gk, ns)
			if err != nil {
				return nil, err
			}
			b.policies = append(b.policies, p)
			if p.selector != nil && !p.generated {
				b.meshPolicyNamespaces[ns] = true
			}
		case gk == istio.PeerAuthenticationKind:
			if o.GetMap("spec").GetMap("selector") != nil {
				b.meshPolicyNamespaces[ns] = true
			}
		case gk == kit.NetworkPolicyKind:
			b.netpols = append(b.netpols, o)
		case gk == kit.ConfigMapKind:
			b.configMaps = append(b.configMaps, o)
		case gk == kit.GatewayKind:
			b.gateways[ns+"/"+o.GetName()] = o
		case gk == istio.VirtualServiceKind:
			for _, host := range routeHosts(o) {
				b.routed[serviceOfHost(host, ns)] = true
			}
		case podKinds[gk]:
			b.addWorkloads(o, gk, ns)
		}
	}
	for ns, svcs := range b.services {
		for _, s := range svcs {
			if len(s.selector) == 0 {
				continue
			}
			for _, w := range b.workloads[ns] {
				if kit.MatchLabels(s.selector, w.labels) {
					s.pods = append(s.pods, w)
				}
			}
		}
	}
	return b, nil
}

func (b *bundle) addWorkloads(o *fn.KubeObject, gk kit.GroupKind, ns string) {
	_ = kit.EditRNode(o, func(rn *yaml.RNode) error {
		for _, t := range kit.PodTemplates(rn, gk, podTables) {
			labels := map[string]string{}
			if m, err := t.Template.Pipe(yaml.Lookup("metadata", "labels")); err == nil && m != nil {
				_ = m.VisitFields(func(n *yaml.MapNode) error {
					labels[n.Key.YNode().Value] = n.Value.YNode().Value
					return nil
				})
			}
			b.workloads[ns] = append(b.workloads[ns], &workload{obj: o, labels: labels, outOfMesh: labels[dataplaneModeLabel] == dataplaneModeNone})
		}
		return nil
	})
}

// routeHosts lists the destination hosts of a VirtualService's routes.
func routeHosts(o *fn.KubeObject) []string {
	var hosts []string
	for _, kind := range []string{"http", "tcp", "tls"} {
		routes, _, _ := o.NestedSlice("spec", kind)
		for _, r := range routes {
			dests, _, _ := r.NestedSlice("route")
			for _, d := range dests {
				if h, _, _ := d.NestedString("destination", "host"); h != "" {
					hosts = append(hosts, h)
				}
			}
		}
	}
	return hosts
}

// serviceOfHost turns a route host (short, svc.ns, or FQDN) into "ns/name".
func serviceOfHost(host, ns string) string {
	parts := strings.Split(host, ".")
	if len(parts) >= 2 {
		return parts[1] + "/" + parts[0]
	}
	return ns + "/" + parts[0]
}

// podsOf returns the workloads of a namespace that a matchLabels selector
// selects; a nil selector selects all.
func (b *bundle) podsOf(ns string, selector map[string]string) []*workload {
	var out []*workload
	for _, w := range b.workloads[ns] {
		if kit.MatchLabels(selector, w.labels) {
			out = append(out, w)
		}
	}
	return out
}

// servicesFor returns the Services whose pods a policy's selector selects
// and the ones among them that also front pods the policy does not select.
// Without any selected pod in the bundle (pods created at runtime) a
// Service counts when its selector implies the policy's (a namespace-wide
// policy's pods are all the namespace's).
func (b *bundle) servicesFor(ns string, selector map[string]string, pods []*workload) (covered, inexact []*service) {
	selected := map[*workload]bool{}
	for _, w := range pods {
		selected[w] = true
	}
	for _, s := range b.services[ns] {
		if len(s.selector) == 0 {
			continue
		}
		if len(pods) == 0 {
			if selector == nil || kit.MatchLabels(selector, s.selector) {
				covered = append(covered, s)
			}
			continue
		}
		hit, miss := false, false
		for _, w := range s.pods {
			if selected[w] {
				hit = true
			} else {
				miss = true
			}
		}
		if hit {
			covered = append(covered, s)
			if miss {
				inexact = append(inexact, s)
			}
		}
	}
	return covered, inexact
}

func serviceNames(svcs []*service) []string {
	names := make([]string, len(svcs))
	for i, s := range svcs {
		names[i] = s.obj.GetName()
	}
	sort.Strings(names)
	return names
}
