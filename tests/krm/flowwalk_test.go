package krm

import (
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit/meshauthz"
	"github.com/kfgitops/kfgitops/kit/netpol"
)

// step is one policy check on a flow's path.
type step struct {
	where   string // e.g. "NetworkPolicy ingress kubeflow (port 15008)"
	by      string // the policies that allow it, or why not
	allowed bool
}

// flowResult is a walked flow: its ends as described in the table and the
// checks, in order, up to the first that refuses.
type flowResult struct {
	source, destination string
	steps               []step
	allowed             bool
}

func (r flowResult) summary() string {
	var parts []string
	for _, s := range r.steps {
		verdict := ""
		if !s.allowed {
			verdict = "**refused**: "
		}
		parts = append(parts, fmt.Sprintf("%s: %s%s", s.where, verdict, s.by))
	}
	return strings.Join(parts, "; ")
}

// walkFlow walks a request from the source to the destination through the
// policies it meets, in order, and stops at the first that refuses it.
// direct: the client addresses the pod, not the Service, so no waypoint is
// on the way.
func (m *mesh) walkFlow(src flowSource, dst flowDestination, req flowRequest, direct bool) flowResult {
	from := m.source(src)
	to, podPort, svcLabels := m.destination(dst)
	r := flowResult{source: from.describe, destination: to.describe, allowed: true}
	request := meshauthz.Request{Principal: from.principal, Method: req.Method, Path: req.Path, Port: portString(dst.Port), Headers: lower(req.Headers)}
	port := podPort
	if from.principal != "" && to.principal != "" {
		port = hbonePort
		if wp := m.waypointOf(dst.Namespace, svcLabels, src.Gateway); wp != nil && !direct {
			waypoint := netpol.Pod{Namespace: wp.Namespace, NamespaceLabels: m.namespaceLabels(wp.Namespace),
				Labels: map[string]string{"gateway.networking.k8s.io/gateway-name": wp.Name}}
			if !m.connect(&r, netpol.Connection{From: from.pod, To: waypoint, Port: hbonePort}, "the waypoint's pod") {
				return r
			}
			allowed, by := meshauthz.Explain(m.t, m.atWaypoint(dst.Namespace, dst.Service, *wp), request, true)
			if !m.authzStep(&r, "waypoint "+wp.Namespace+"/"+wp.Name+" (L7)", allowed, by) {
				return r
			}
			from = endpoint{pod: waypoint, principal: wp.Principal()}
			request.Principal = wp.Principal()
		}
	}
	if !m.connect(&r, netpol.Connection{From: from.pod, To: to.pod, Port: port}, "the pod") {
		return r
	}
	if to.principal == "" {
		r.steps = append(r.steps, step{where: "ztunnel", by: "none (the pod is out of the mesh)", allowed: true})
		return r
	}
	request.Port = portString(podPort)
	allowed, by := meshauthz.Explain(m.t, m.atZtunnel(to.pod), request, false)
	m.authzStep(&r, "ztunnel at the pod (L4)", allowed, by)
	return r
}

// connect: the connection's egress at its source, then its ingress at its
// destination.
func (m *mesh) connect(r *flowResult, c netpol.Connection, to string) bool {
	return m.netpolStep(r, c, to, true) && m.netpolStep(r, c, to, false)
}

// netpolStep decides the connection's egress at its source (egress true)
// or its ingress at its destination, and records it.
func (m *mesh) netpolStep(r *flowResult, c netpol.Connection, to string, egress bool) bool {
	decide, direction, ns := netpol.Ingress, "ingress", c.To.Namespace
	if egress {
		decide, direction, ns = netpol.Egress, "egress", c.From.Namespace
	}
	d, err := decide(m.netpols, c)
	if err != nil {
		m.t.Fatal(err)
	}
	if egress && !d.Isolated {
		return true // an unisolated source is not worth a column
	}
	s := step{where: fmt.Sprintf("NetworkPolicy %s in %s, to %s port %d", direction, ns, to, c.Port), allowed: d.Allowed}
	switch {
	case !d.Isolated:
		s.by = "no policy selects the pod"
	case d.Allowed:
		s.by = strings.Join(d.By, ", ")
	default:
		s.by = "no rule of the policies that select the pod admits it"
	}
	r.steps = append(r.steps, s)
	r.allowed = r.allowed && s.allowed
	return s.allowed
}

func (m *mesh) authzStep(r *flowResult, where string, allowed bool, by string) bool {
	s := step{where: where, allowed: allowed, by: by}
	switch {
	case by != "" && allowed:
		s.by = "AuthorizationPolicy " + by
	case by != "":
		s.by = "AuthorizationPolicy " + by + " denies it"
	case allowed:
		s.by = "no AuthorizationPolicy applies"
	default:
		s.by = "no ALLOW rule matches"
	}
	r.steps = append(r.steps, s)
	r.allowed = r.allowed && allowed
	return allowed
}
