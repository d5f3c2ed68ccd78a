package ambientmesh

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// apiServerCall is one place where the API server calls a Service of the
// bundle: an admission webhook, a CRD's conversion webhook or an APIService.
type apiServerCall struct {
	from  *fn.KubeObject
	field string
	svc   kit.ServiceRef
	port  int32
}

func (c apiServerCall) String() string {
	return fmt.Sprintf("%s %s (%s)", c.from.GetKind(), c.from.GetName(), c.field)
}

// apiServerAccess is the AuthorizationPolicy that admits the API server to
// one port of a Service's in-mesh pods.
type apiServerAccess struct {
	ns, name string
	selector map[string]string
	port     int
	calls    []apiServerCall
}

// admitAPIServer gives every webhook backend that ztunnel would deny the
// API server one ALLOW policy: the Service's pods, the one target port the
// API server calls, no source (it has no mesh identity). That is what a
// sidecar's traffic.sidecar.istio.io/excludeInboundPorts left open, never
// more. Earlier runs' policies that no call needs any more are dropped.
func (m *migration) admitAPIServer(items fn.KubeObjects) error {
	all := append(slices.Clone(kit.EditableItems(items)), m.added...)
	calls, err := apiServerCalls(all)
	if err != nil {
		return err
	}
	policies, err := m.ztunnelAllowPolicies(all)
	if err != nil {
		return err
	}
	backends := kit.NewBackends(all)
	wanted := map[string]*apiServerAccess{}
	var order []*apiServerAccess
	for _, c := range calls {
		a := m.accessFor(c, backends, policies)
		if a == nil {
			continue
		}
		key := a.ns + "/" + a.name
		if prev := wanted[key]; prev != nil {
			prev.calls = append(prev.calls, c)
			continue
		}
		wanted[key] = a
		order = append(order, a)
	}
	for _, o := range all {
		if isAPIServerAccess(o) && wanted[o.GetNamespace()+"/"+o.GetName()] == nil {
			m.dropped[o] = true
		}
	}
	for _, a := range order {
		if err := m.emitAPIServerAccess(a); err != nil {
			return err
		}
	}
	return nil
}

func isAPIServerAccess(o *fn.KubeObject) bool {
	return istio.AuthorizationPolicyKind.Is(o) && o.GetAnnotation(generatedByAnnotation) == FunctionName &&
		o.GetLabel(apiServerAccessLabel) == apiServerAccessValue
}

// apiServerCalls lists the Services the API server calls, in item order.
func apiServerCalls(items fn.KubeObjects) ([]apiServerCall, error) {
	var out []apiServerCall
	for _, o := range items {
		hooks, err := kit.AdmissionWebhooks(o)
		if err != nil {
			return nil, err
		}
		for _, h := range hooks {
			if h.Service != nil {
				out = append(out, apiServerCall{o, h.FieldPath() + ".clientConfig.service", *h.Service, h.ServicePort})
			}
		}
		fields := serviceCallFields[kit.GroupKindOf(o)]
		if fields == nil {
			continue
		}
		var ref *kit.ServiceRef
		if kit.CustomResourceDefinitionKind.Is(o) {
			ref = kit.ConversionWebhookService(o)
		} else {
			_, _, ref = kit.APIServiceBackend(o)
		}
		if ref != nil {
			out = append(out, apiServerCall{o, strings.Join(fields, "."), *ref, kit.ServiceCallPort(o, fields...)})
		}
	}
	return out, nil
}

// accessFor is the policy call needs, or nil: when its backend is not in
// the bundle, not in the mesh, not denied by default, or already admitted.
func (m *migration) accessFor(c apiServerCall, backends *kit.Backends, policies []*policy) *apiServerAccess {
	svc := backends.Service(c.svc)
	if svc == nil || !m.ambient[c.svc.Namespace] {
		return nil
	}
	var pods []map[string]string
	var inMesh []*fn.KubeObject
	for _, w := range backends.Workloads(c.svc) {
		l, _, _ := w.NestedStringMap("spec", "template", "metadata", "labels")
		if l[dataplaneModeLabel] != dataplaneModeNone {
			pods, inMesh = append(pods, l), append(inMesh, w)
		}
	}
	if len(pods) == 0 {
		return nil
	}
	port, ok := m.targetPort(c, svc, inMesh)
	if !ok {
		return nil
	}
	denied, admitted := true, true
	for _, l := range pods {
		applying := m.allowPoliciesOn(policies, c.svc.Namespace, l)
		denied = denied && len(applying) > 0
		admitted = admitted && slices.ContainsFunc(applying, func(p *policy) bool { return admitsWithoutIdentity(p, port) })
	}
	// Not denied: the pods are reachable, and a policy would make them
	// deny-by-default on every other port.
	if !denied || admitted {
		return nil
	}
	sel, _, _ := svc.NestedStringMap("spec", "selector")
	return &apiServerAccess{
		ns: c.svc.Namespace, name: derivedName(c.svc.Name, fmt.Sprintf("%s-%d", apiServerPolicySuffix, port)),
		selector: sel, port: port, calls: []apiServerCall{c},
	}
}

// targetPort resolves the pod port behind the Service port call uses; a
// named target port must name the same number on every in-mesh pod.
func (m *migration) targetPort(c apiServerCall, svc *fn.KubeObject, workloads []*fn.KubeObject) (int, bool) {
	var spec corev1.ServiceSpec
	if err := decodeAt(svc, &spec, "spec"); err != nil {
		m.warn(svc, "spec.ports", "cannot read the ports %s calls: %v", c, err)
		return 0, false
	}
	i := slices.IndexFunc(spec.Ports, func(p corev1.ServicePort) bool { return p.Port == c.port })
	if i < 0 {
		m.warn(c.from, c.field+".port", "Service %s has no port %d: the API server's call fails whatever the mesh admits, so no AuthorizationPolicy is added for it", c.svc, c.port)
		return 0, false
	}
	target := spec.Ports[i].TargetPort
	switch {
	case target.Type == intstr.Int && target.IntVal == 0:
		return int(c.port), true
	case target.Type == intstr.Int:
		return int(target.IntVal), true
	}
	field := fmt.Sprintf("spec.ports[%d].targetPort", i)
	port := 0
	for _, w := range workloads {
		n := namedContainerPort(w, target.StrVal)
		if n == 0 || (port != 0 && n != port) {
			m.warn(svc, field, "named target port %q, which %s calls, is not one port number on the containers of %s %s: no AuthorizationPolicy admits the API server to it, so ztunnel denies the call", target.StrVal, c, w.GetKind(), w.GetName())
			return 0, false
		}
		port = n
	}
	return port, true
}

// namedContainerPort is the number of the container port of w named name,
// 0 when there is none.
func namedContainerPort(w *fn.KubeObject, name string) int {
	var spec corev1.PodSpec
	if err := decodeAt(w, &spec, "spec", "template", "spec"); err != nil {
		return 0
	}
	for _, c := range append(spec.InitContainers, spec.Containers...) {
		for _, p := range c.Ports {
			if p.Name == name {
				return int(p.ContainerPort)
			}
		}
	}
	return 0
}

// ztunnelAllowPolicies are the ALLOW policies ztunnel enforces after this
// run (selector-based, not on a waypoint), the API server's own aside.
func (m *migration) ztunnelAllowPolicies(items fn.KubeObjects) ([]*policy, error) {
	var out []*policy
	for _, o := range items {
		if !istio.AuthorizationPolicyKind.Is(o) || isAPIServerAccess(o) {
			continue
		}
		p, err := newPolicy(o, istio.AuthorizationPolicyKind, m.b.scope.Namespace(o))
		if err != nil {
			return nil, err
		}
		if p.action == "ALLOW" && !p.targetRefs {
			out = append(out, p)
		}
	}
	return out, nil
}

// allowPoliciesOn are the policies that apply to a pod of namespace ns with
// labels l: its namespace's and the root namespace's that select it.
func (m *migration) allowPoliciesOn(policies []*policy, ns string, l map[string]string) []*policy {
	var out []*policy
	for _, p := range policies {
		if (p.ns == ns || p.ns == m.cfg.RootNamespace) && (p.selector == nil || kit.MatchLabels(p.selector, l)) {
			out = append(out, p)
		}
	}
	return out
}

// admitsWithoutIdentity: a rule of p admits a plain-text request with no
// identity to port, i.e. has no from and no when, and no to or one whose
// operation names at most that port.
func admitsWithoutIdentity(p *policy, port int) bool {
	want := strconv.Itoa(port)
	for _, r := range p.rules {
		if _, has := r["from"]; has {
			continue
		}
		if _, has := r["when"]; has {
			continue
		}
		to, has := r["to"].([]any)
		if !has {
			return true
		}
		for _, t := range to {
			op, _ := t.(map[string]any)["operation"].(map[string]any)
			ports, _ := op["ports"].([]any)
			if len(op) == 0 || (len(op) == 1 && slices.Contains(ports, any(want))) {
				return true
			}
		}
	}
	return false
}

// emitAPIServerAccess adds a's policy, or refreshes an earlier run's.
func (m *migration) emitAPIServerAccess(a *apiServerAccess) error {
	c := a.calls[0]
	var ap authorizationPolicy
	ap.APIVersion, ap.Kind = defaultPolicyAPIVersion, "AuthorizationPolicy"
	ap.Metadata = generatedMeta(ap.Kind, a.ns, a.name, "Service/"+c.svc.Name)
	ap.Metadata.Labels = map[string]string{apiServerAccessLabel: apiServerAccessValue}
	ap.Spec.Selector = &matchLabels{MatchLabels: a.selector}
	ap.Spec.Action = "ALLOW"
	ap.Spec.Rules = []any{map[string]any{"to": []any{map[string]any{"operation": map[string]any{"ports": []string{strconv.Itoa(a.port)}}}}}}
	callers := make([]string, len(a.calls))
	for i, call := range a.calls {
		callers[i] = call.String()
	}
	id := idOf(ap.Kind, a.ns, a.name)
	if o := m.b.ids[id]; o != nil && !isAPIServerAccess(o) {
		return kit.Errorf(c.from, c.field, "cannot add AuthorizationPolicy %s/%s: an object of that name exists and was not made by %s", a.ns, a.name, FunctionName)
	} else if o != nil {
		if err := o.SetNestedField(ap.Spec, "spec"); err != nil {
			return kit.Errorf(o, "spec", "%v", err)
		}
	} else {
		o, err := toObject(ap)
		if err != nil {
			return kit.Errorf(c.from, c.field, "generating %s: %v", a.name, err)
		}
		m.b.ids[id] = o
		m.added = append(m.added, o)
	}
	m.info(c.from, c.field, "AuthorizationPolicy %s/%s admits the API server, which has no mesh identity, to port %d of the pods of Service %s only (called by %s): an ALLOW policy there denies it everything else",
		a.ns, a.name, a.port, c.svc, strings.Join(callers, ", "))
	return nil
}

// decodeAt decodes the field at fields of o into v (left as it is when o
// has no such field).
func decodeAt(o *fn.KubeObject, v any, fields ...string) error {
	sub, found, err := o.NestedSubObject(fields...)
	if err != nil || !found {
		return err
	}
	return kit.As(&sub, v)
}
