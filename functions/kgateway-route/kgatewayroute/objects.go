package kgatewayroute

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"
)

// object is the shape of every object this function emits; JSON key order
// is alphabetical, so output is deterministic.
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   meta   `json:"metadata"`
	Spec       any    `json:"spec,omitempty"`
}

type meta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// newObject renders an object with the path annotations kpt writes files by;
// an error names the object.
func newObject(apiVersion, kind, namespace, name string, labels, annotations map[string]string, spec any) (*fn.KubeObject, error) {
	a := map[string]string{}
	for k, v := range annotations {
		a[k] = v
	}
	path := objectPath(kind, namespace, name)
	a["config.kubernetes.io/path"] = path
	a["internal.config.kubernetes.io/path"] = path
	b, err := yaml.Marshal(object{APIVersion: apiVersion, Kind: kind, Metadata: meta{name, namespace, labels, a}, Spec: spec})
	if err == nil {
		var o *fn.KubeObject
		if o, err = fn.ParseKubeObject(b); err == nil {
			return o, nil
		}
	}
	return nil, fmt.Errorf("building %s %s/%s: %w", kind, namespace, name, err)
}

// objectPath is the file kpt writes an emitted object to.
func objectPath(kind, namespace, name string) string {
	return strings.ToLower(fmt.Sprintf("kgateway-route/%s_%s_%s.yaml", kind, namespace, name))
}

// output collects the items with generated objects upserted: an object of
// the same group, kind, namespace and name is replaced in place, so that a
// second run over the output changes nothing.
type output struct {
	items fn.KubeObjects
	index map[string]int
	added int
}

func newOutput(items fn.KubeObjects) *output {
	o := &output{items: items, index: map[string]int{}}
	for i, it := range items {
		o.index[identity(it)] = i
	}
	return o
}

func identity(o *fn.KubeObject) string {
	gk := kit.GroupKindOf(o)
	return gk.String() + " " + o.GetNamespace() + "/" + o.GetName()
}

func (o *output) put(obj *fn.KubeObject) {
	id := identity(obj)
	if i, ok := o.index[id]; ok {
		o.items[i] = obj
		return
	}
	o.index[id] = len(o.items)
	o.items = append(o.items, obj)
	o.added++
}

// managedLabels mark what this function generated.
var managedLabels = map[string]string{managedByLabel: "kgateway-route"}

const managedByLabel = "app.kubernetes.io/managed-by"

// httpRouteObject renders one HTTPRoute of the VirtualService.
func (v *vsConverter) httpRouteObject(name string, hostnames []string, rules []*rule) (*fn.KubeObject, error) {
	vs := v.obj
	spec := gwv1.HTTPRouteSpec{CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: []gwv1.ParentReference{v.parentRef(vs.GetNamespace())}}}
	for _, h := range hostnames {
		spec.Hostnames = append(spec.Hostnames, gwv1.Hostname(h))
	}
	for _, r := range rules {
		hr := r.HTTPRouteRule
		if r.directResponse != nil {
			hr.Filters = append(append([]gwv1.HTTPRouteFilter(nil), hr.Filters...), gwv1.HTTPRouteFilter{
				Type:         gwv1.HTTPRouteFilterExtensionRef,
				ExtensionRef: &gwv1.LocalObjectReference{Group: kgatewayGroup, Kind: "DirectResponse", Name: gwv1.ObjectName(directResponseName(name, r))},
			})
		}
		spec.Rules = append(spec.Rules, hr)
	}
	labels := map[string]string{}
	for k, v := range vs.GetLabels() {
		labels[k] = v
	}
	annotations := map[string]string{"kgateway-route.kfgitops.dev/source": "VirtualService " + vs.GetNamespace() + "/" + vs.GetName()}
	return newObject(gatewayAPIVersion, "HTTPRoute", vs.GetNamespace(), name, labels, annotations, spec)
}

// parentRef is the reference to the kgateway Gateway from a namespace.
func (rc *RouteConverter) parentRef(fromNamespace string) gwv1.ParentReference {
	ref := gwv1.ParentReference{Name: gwv1.ObjectName(rc.cfg.Gateway.Name)}
	if fromNamespace != rc.cfg.Gateway.Namespace {
		ns := gwv1.Namespace(rc.cfg.Gateway.Namespace)
		ref.Namespace = &ns
	}
	return ref
}

// directResponseName names the DirectResponse a rule answers with.
func directResponseName(route string, r *rule) string { return route + "-" + string(*r.Name) }

// rulePolicy is the kgateway TrafficPolicy carrying what Gateway API's
// standard channel cannot express for one rule (retries, regex rewrites).
func (v *vsConverter) rulePolicy(route string, r *rule) (*fn.KubeObject, error) {
	spec := map[string]any{
		"targetRefs": []any{map[string]any{"group": kit.GroupGatewayAPI, "kind": "HTTPRoute", "name": route, "sectionName": string(*r.Name)}},
	}
	for k, v := range r.policy {
		spec[k] = v
	}
	return newObject(kgatewayVersion, "TrafficPolicy", v.obj.GetNamespace(), route+"-"+string(*r.Name), managedLabels, nil, spec)
}

// grants collects the ReferenceGrants cross-namespace references need:
// target namespace → from kind → from namespace → Service names.
type grants map[string]map[string]map[string]map[string]bool

func (g grants) add(toNamespace, fromKind, fromNamespace, service string) {
	if g[toNamespace] == nil {
		g[toNamespace] = map[string]map[string]map[string]bool{}
	}
	if g[toNamespace][fromKind] == nil {
		g[toNamespace][fromKind] = map[string]map[string]bool{}
	}
	if g[toNamespace][fromKind][fromNamespace] == nil {
		g[toNamespace][fromKind][fromNamespace] = map[string]bool{}
	}
	g[toNamespace][fromKind][fromNamespace][service] = true
}

// merge adds the grants of other to g.
func (g grants) merge(other grants) {
	for to, kinds := range other {
		for kind, froms := range kinds {
			for from, services := range froms {
				for svc := range services {
					g.add(to, kind, from, svc)
				}
			}
		}
	}
}

var fromGroups = map[string]string{"HTTPRoute": kit.GroupGatewayAPI, "GatewayExtension": kgatewayGroup}

// objects renders one ReferenceGrant per target namespace, source kind and
// source namespace, naming each Service.
func (g grants) objects() ([]*fn.KubeObject, error) {
	var out []*fn.KubeObject
	for _, to := range slices.Sorted(maps.Keys(g)) {
		for _, kind := range slices.Sorted(maps.Keys(g[to])) {
			for _, from := range slices.Sorted(maps.Keys(g[to][kind])) {
				var targets []any
				for _, svc := range slices.Sorted(maps.Keys(g[to][kind][from])) {
					targets = append(targets, map[string]any{"group": "", "kind": "Service", "name": svc})
				}
				spec := map[string]any{
					"from": []any{map[string]any{"group": fromGroups[kind], "kind": kind, "namespace": from}},
					"to":   targets,
				}
				name := strings.ToLower(kind) + "s-from-" + from
				o, err := newObject(gatewayAPIVersion, "ReferenceGrant", to, name, managedLabels, nil, spec)
				if err != nil {
					return nil, err
				}
				out = append(out, o)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return identity(out[i]) < identity(out[j]) })
	return out, nil
}
