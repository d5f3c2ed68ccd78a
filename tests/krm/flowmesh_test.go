package krm

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/meshauthz"
	"github.com/kfgitops/kfgitops/kit/netpol"
	"github.com/kfgitops/kfgitops/tests/harness"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// hbonePort is ztunnel's HBONE port: where both ends are in the mesh, the
// connection reaches the next hop's pod on it.
const hbonePort = 15008

// mesh is the chain's output as the platform runs it: the output's
// namespaces and policies, and the corpus's Profile namespace as the profile
// controller creates it (with runtime-sync's migration of its policies).
type mesh struct {
	t       *testing.T
	w       *walk
	profile *profileNS
	owner   string
	netpols []netpol.Policy
	authz   map[string][]meshauthz.Policy // by namespace (the profile's: profile.policies)
}

func newMesh(t *testing.T, items fn.KubeObjects) *mesh {
	t.Helper()
	m := &mesh{t: t, w: newWalk(t, items), authz: map[string][]meshauthz.Policy{}}
	var profile string
	for _, o := range items {
		switch {
		case o.GetKind() == "Profile" && kit.GroupOf(o.GetAPIVersion()) == "kubeflow.org":
			if profile != "" {
				t.Fatalf("the corpus has Profiles %s and %s: the flow table names one", profile, o.GetName())
			}
			profile = o.GetName()
			m.owner, _, _ = o.NestedString("spec", "owner", "name")
		case o.GetKind() == "NetworkPolicy":
			p, err := netpol.Decode(o)
			if err != nil {
				t.Fatal(err)
			}
			m.netpols = append(m.netpols, p)
		case istio.AuthorizationPolicyKind.Is(o):
			m.authz[o.GetNamespace()] = append(m.authz[o.GetNamespace()], meshauthz.Decode(t, o))
		}
	}
	if profile == "" {
		t.Fatal("no Profile in the output")
	}
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	sources, err := harness.ProfileRuntimePolicies(root)
	if err != nil {
		t.Fatal(err)
	}
	m.profile = m.w.profileNamespace(profile, m.owner, sources)
	m.authz[profile] = m.profile.policies
	return m
}

// endpoint is one end of a hop.
type endpoint struct {
	pod       netpol.Pod
	principal string // "" out of the mesh
	describe  string
}

func (m *mesh) namespaceLabels(ns string) map[string]string {
	labels := map[string]string{}
	if ns == m.profile.name {
		maps.Copy(labels, m.profile.labels)
	} else {
		maps.Copy(labels, m.w.namespaceLabels(ns))
	}
	labels["kubernetes.io/metadata.name"] = ns
	return labels
}

// inMesh: ambient captures the pod (its label, else its namespace's).
func inMesh(nsLabels, pod map[string]string) bool {
	if mode, ok := pod["istio.io/dataplane-mode"]; ok {
		return mode == "ambient"
	}
	return nsLabels["istio.io/dataplane-mode"] == "ambient"
}

func (m *mesh) workload(ns, sa string, labels map[string]string) endpoint {
	e := endpoint{pod: netpol.Pod{Namespace: ns, NamespaceLabels: m.namespaceLabels(ns), Labels: labels}}
	e.describe = fmt.Sprintf("%s, sa %s", ns, sa)
	if inMesh(e.pod.NamespaceLabels, labels) {
		e.principal = "cluster.local/ns/" + ns + "/sa/" + sa
	} else {
		e.describe += " (out of the mesh)"
	}
	return e
}

func (m *mesh) source(s flowSource) endpoint {
	if s.APIServer {
		return endpoint{describe: "the API server (out of the mesh)"}
	}
	if s.Gateway {
		gw := m.w.cfg.Gateway
		e := m.workload(gw.Namespace, gw.Name, map[string]string{"gateway.networking.k8s.io/gateway-name": gw.Name})
		e.describe = "the proxy of Gateway " + gw.Namespace + "/" + gw.Name + " (" + e.describe + ")"
		return e
	}
	if s.Workload != "" {
		tmpl := m.template(s.Namespace, s.Workload)
		labels, _, _ := tmpl.NestedStringMap("metadata", "labels")
		return m.workload(s.Namespace, serviceAccountOf(tmpl), labels)
	}
	return m.workload(s.Namespace, s.ServiceAccount, s.Labels)
}

// template is the pod template of the output's Deployment or StatefulSet.
func (m *mesh) template(ns, name string) *fn.SubObject {
	for _, w := range m.podTemplates(ns) {
		if w.name == name {
			return w.tmpl
		}
	}
	m.t.Fatalf("no Deployment or StatefulSet %s/%s in the output", ns, name)
	return nil
}

type podTemplate struct {
	name string
	tmpl *fn.SubObject
}

// podTemplates are the pod templates of the output's Deployments and
// StatefulSets in ns.
func (m *mesh) podTemplates(ns string) []podTemplate {
	var out []podTemplate
	for _, o := range m.w.items {
		if o.GetNamespace() == ns && slices.Contains([]string{"Deployment", "StatefulSet"}, o.GetKind()) {
			out = append(out, podTemplate{o.GetName(), o.GetMap("spec").GetMap("template")})
		}
	}
	return out
}

func serviceAccountOf(tmpl *fn.SubObject) string {
	if sa, _, _ := tmpl.NestedString("spec", "serviceAccountName"); sa != "" {
		return sa
	}
	return "default"
}

// destination resolves the Service to its pod (the output's workload
// whose pod template the Service selects), the pod's port, and the Service
// object's labels (for its waypoint).
func (m *mesh) destination(d flowDestination) (endpoint, int, map[string]string) {
	t := m.t
	if r := d.Runtime; r != nil {
		e := m.workload(d.Namespace, r.ServiceAccount, r.Labels)
		e.describe = fmt.Sprintf("Service %s/%s:%d → pod port %d (%s; made at run time)", d.Namespace, d.Service, d.Port, r.TargetPort, e.describe)
		return e, r.TargetPort, nil
	}
	svc := m.object("Service", d.Namespace, d.Service)
	selector, _, _ := svc.NestedStringMap("spec", "selector")
	pod := m.selectedTemplate(d.Namespace, selector)
	if pod == nil {
		t.Fatalf("Service %s/%s: no workload of the output has a pod its selector %v picks", d.Namespace, d.Service, selector)
	}
	labels, _, _ := pod.NestedStringMap("metadata", "labels")
	e := m.workload(d.Namespace, serviceAccountOf(pod), labels)
	e.pod.NamedPorts = namedPorts(pod)
	target := d.Port
	ports, _, _ := svc.NestedSlice("spec", "ports")
	found := false
	for _, p := range ports {
		if n, _, _ := p.NestedInt("port"); n != d.Port {
			continue
		}
		found = true
		if tp, ok, err := p.NestedInt("targetPort"); ok && err == nil { // a named one is a string
			target = tp
		} else if name, ok, _ := p.NestedString("targetPort"); ok {
			target, ok = e.pod.NamedPorts[name]
			if !ok {
				t.Fatalf("Service %s/%s port %d: targetPort %q is no container port of its pod", d.Namespace, d.Service, d.Port, name)
			}
		}
	}
	if !found {
		t.Fatalf("Service %s/%s has no port %d", d.Namespace, d.Service, d.Port)
	}
	e.describe = fmt.Sprintf("Service %s/%s:%d → pod port %d (%s)", d.Namespace, d.Service, d.Port, target, e.describe)
	return e, target, svc.GetLabels()
}

func (m *mesh) object(kind, ns, name string) *fn.KubeObject {
	for _, o := range m.w.items {
		if o.GetKind() == kind && o.GetNamespace() == ns && o.GetName() == name {
			return o
		}
	}
	m.t.Fatalf("no %s %s/%s in the output", kind, ns, name)
	return nil
}

// selectedTemplate is the pod template of the Deployment or StatefulSet of
// ns whose pods the selector picks.
func (m *mesh) selectedTemplate(ns string, selector map[string]string) *fn.SubObject {
	if len(selector) == 0 {
		return nil
	}
	for _, w := range m.podTemplates(ns) {
		if labels, _, _ := w.tmpl.NestedStringMap("metadata", "labels"); kit.MatchLabels(selector, labels) {
			return w.tmpl
		}
	}
	return nil
}

func namedPorts(tmpl *fn.SubObject) map[string]int {
	out := map[string]int{}
	containers, _, _ := tmpl.NestedSlice("spec", "containers")
	for _, c := range containers {
		ports, _, _ := c.NestedSlice("ports")
		for _, p := range ports {
			if name, _, _ := p.NestedString("name"); name != "" {
				n, _, _ := p.NestedInt("containerPort")
				out[name] = n
			}
		}
	}
	return out
}

// waypointOf is the waypoint a request to the Service goes through, or
// nil: the Service's istio.io/use-waypoint label, else its namespace's
// ("none" opts out); from the Gateway only where ingress-use-waypoint is
// "true" on either.
func (m *mesh) waypointOf(ns string, svcLabels map[string]string, fromGateway bool) *ingress.Gateway {
	nsLabels := m.namespaceLabels(ns)
	pick := func(key string) string {
		if v, ok := svcLabels[key]; ok {
			return v
		}
		return nsLabels[key]
	}
	name := pick("istio.io/use-waypoint")
	if name == "" || name == "none" || fromGateway && pick("istio.io/ingress-use-waypoint") != "true" {
		return nil
	}
	wpns := pick("istio.io/use-waypoint-namespace")
	if wpns == "" {
		wpns = ns
	}
	if wpns != m.profile.name { // runtime-sync writes the profile namespace's
		m.object("Gateway", wpns, name) // fails the test when the output lacks it
	}
	return &ingress.Gateway{Namespace: wpns, Name: name}
}

// atWaypoint: the policies of the Service's namespace that target the
// Service, or the waypoint when it is in that namespace.
func (m *mesh) atWaypoint(ns, svc string, wp ingress.Gateway) []meshauthz.Policy {
	var out []meshauthz.Policy
	for _, p := range m.authz[ns] {
		if slices.ContainsFunc(p.TargetRefs, func(ref map[string]string) bool {
			return ref["kind"] == "Service" && ref["name"] == svc || ref["kind"] == "Gateway" && ref["name"] == wp.Name && wp.Namespace == ns
		}) {
			out = append(out, p)
		}
	}
	return out
}

// atZtunnel: the policies ztunnel enforces for the pod: its namespace's and
// the root namespace's without targetRefs that select it, as ztunnel keeps
// them.
func (m *mesh) atZtunnel(pod netpol.Pod) []meshauthz.Policy {
	var out []meshauthz.Policy
	for _, p := range append(slices.Clone(m.authz[pod.Namespace]), m.authz[meshRootNamespace]...) {
		if z, enforced := meshauthz.OnZtunnel(p); enforced && len(p.TargetRefs) == 0 && p.AppliesTo(pod.Labels) {
			out = append(out, z)
		}
	}
	return out
}

func portString(p int) string { return strconv.Itoa(p) }

func lower(headers map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range headers {
		out[strings.ToLower(k)] = v
	}
	return out
}
