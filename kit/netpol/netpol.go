// Package netpol evaluates Kubernetes NetworkPolicies for one connection
// between two pods, written from the NetworkPolicy reference
// (kubernetes.io/docs/concepts/services-networking/network-policies and the
// networking/v1 API), independently of the functions' tables. Tests decide
// flows with it over the policies a function or the whole chain emits.
//
// The semantics it implements: a pod is isolated for ingress (egress) when
// a policy of its namespace selects it (an empty podSelector selects every
// pod) and lists Ingress (Egress) in policyTypes, which defaults to Ingress,
// plus Egress when the policy has egress rules. An isolated pod admits a
// connection that any selecting policy's rule allows; a rule with no peers
// allows every peer, with no ports every port. A peer with both a
// namespaceSelector and a podSelector matches pods that meet both (AND); a
// podSelector alone means pods of the policy's own namespace; a
// namespaceSelector alone, every pod of the namespaces it selects. A
// connection must be allowed by the source's egress and the destination's
// ingress. It returns an error on what it cannot decide for pods (ipBlock
// peers, whose matching of pod IPs is left to the implementation; an unknown
// selector operator; a named port the pod does not declare) rather than
// guess.
package netpol

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Policy is a NetworkPolicy as the evaluator reads it.
type Policy struct {
	Namespace, Name string
	PodSelector     kit.LabelSelector
	Ingress, Egress []Rule
	Types           []string // Ingress, Egress: policyTypes, defaulted
}

// Rule is one ingress (from) or egress (to) rule.
type Rule struct {
	Peers []Peer
	Ports []Port
}

// Peer is one element of a rule's from or to.
type Peer struct {
	PodSelector       *kit.LabelSelector `json:"podSelector"`
	NamespaceSelector *kit.LabelSelector `json:"namespaceSelector"`
	IPBlock           any                `json:"ipBlock"`
}

// Port is one element of a rule's ports: port is a number, a name or
// absent (every port of the protocol).
type Port struct {
	Protocol string `json:"protocol"`
	Port     any    `json:"port"`
	EndPort  int    `json:"endPort"`
}

// Pod is one end of a connection: its namespace (with the namespace's
// labels, kubernetes.io/metadata.name included), its labels and the named
// ports of its containers.
type Pod struct {
	Namespace       string
	NamespaceLabels map[string]string
	Labels          map[string]string
	NamedPorts      map[string]int
}

// Connection is a TCP (or UDP, SCTP) connection from one pod to another's
// port.
type Connection struct {
	From, To Pod
	Port     int
	Protocol string // TCP when empty
}

// Decode reads a NetworkPolicy.
func Decode(o *fn.KubeObject) (Policy, error) {
	var np struct {
		Spec struct {
			PodSelector kit.LabelSelector `json:"podSelector"`
			PolicyTypes []string          `json:"policyTypes"`
			Ingress     []fromRule        `json:"ingress"`
			Egress      []toRule          `json:"egress"`
		} `json:"spec"`
	}
	if err := kit.As(&o.SubObject, &np); err != nil {
		return Policy{}, fmt.Errorf("NetworkPolicy %s/%s: %w", o.GetNamespace(), o.GetName(), err)
	}
	s := np.Spec
	p := Policy{Namespace: o.GetNamespace(), Name: o.GetName(), PodSelector: s.PodSelector, Types: s.PolicyTypes}
	for _, r := range s.Ingress {
		p.Ingress = append(p.Ingress, Rule{Peers: r.From, Ports: r.Ports})
	}
	for _, r := range s.Egress {
		p.Egress = append(p.Egress, Rule{Peers: r.To, Ports: r.Ports})
	}
	if len(p.Types) == 0 {
		p.Types = []string{"Ingress"}
		if len(s.Egress) > 0 {
			p.Types = append(p.Types, "Egress")
		}
	}
	return p, nil
}

type fromRule struct {
	From  []Peer `json:"from"`
	Ports []Port `json:"ports"`
}

type toRule struct {
	To    []Peer `json:"to"`
	Ports []Port `json:"ports"`
}

// Decision is the outcome for one direction (the source's egress or the
// destination's ingress): Isolated is false when no policy selects the pod
// for that direction; By names ("namespace/name") the selecting policies
// that allow the connection.
type Decision struct {
	Allowed, Isolated bool
	By                []string
}

// Ingress decides c at the destination pod.
func Ingress(policies []Policy, c Connection) (Decision, error) {
	return decide(policies, c, "Ingress")
}

// Egress decides c at the source pod.
func Egress(policies []Policy, c Connection) (Decision, error) {
	return decide(policies, c, "Egress")
}

func decide(policies []Policy, c Connection, direction string) (Decision, error) {
	self, peer := c.To, c.From
	if direction == "Egress" {
		self, peer = c.From, c.To
	}
	d := Decision{}
	for _, p := range policies {
		if p.Namespace != self.Namespace || !slices.Contains(p.Types, direction) {
			continue
		}
		selected, err := p.PodSelector.Matches(self.Labels)
		if err != nil || !selected {
			if err != nil {
				return d, p.errorf("podSelector: %w", err)
			}
			continue
		}
		d.Isolated = true
		rules := p.Ingress
		if direction == "Egress" {
			rules = p.Egress
		}
		for i, r := range rules {
			ok, err := r.allows(p.Namespace, peer, c.To, c.Port, c.Protocol)
			if err != nil {
				return d, p.errorf("%s[%d]: %w", direction, i, err)
			}
			if ok {
				d.By = append(d.By, p.Namespace+"/"+p.Name)
				break
			}
		}
	}
	d.Allowed = !d.Isolated || len(d.By) > 0
	return d, nil
}

func (p Policy) errorf(format string, args ...any) error {
	return fmt.Errorf("NetworkPolicy %s/%s: %w", p.Namespace, p.Name, fmt.Errorf(format, args...))
}

// allows: the rule admits peer (for a policy of namespace ns) on the
// destination's port.
func (r Rule) allows(ns string, peer, dest Pod, port int, protocol string) (bool, error) {
	portOK := len(r.Ports) == 0
	for _, p := range r.Ports {
		ok, err := p.matches(dest, port, protocol)
		if err != nil {
			return false, err
		}
		portOK = portOK || ok
	}
	if !portOK {
		return false, nil
	}
	if len(r.Peers) == 0 {
		return true, nil
	}
	for _, p := range r.Peers {
		ok, err := p.matches(ns, peer)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func (p Peer) matches(ns string, pod Pod) (bool, error) {
	if p.IPBlock != nil {
		return false, fmt.Errorf("ipBlock: matching pod IPs is left to the network plugin")
	}
	if p.NamespaceSelector == nil && p.PodSelector == nil {
		return false, fmt.Errorf("a peer with neither podSelector nor namespaceSelector")
	}
	if p.NamespaceSelector == nil && pod.Namespace != ns {
		return false, nil
	}
	if p.NamespaceSelector != nil {
		ok, err := p.NamespaceSelector.Matches(pod.NamespaceLabels)
		if err != nil || !ok {
			return false, err
		}
	}
	if p.PodSelector != nil {
		return p.PodSelector.Matches(pod.Labels)
	}
	return true, nil
}

func (p Port) matches(dest Pod, port int, protocol string) (bool, error) {
	if protocol == "" {
		protocol = "TCP"
	}
	if want := p.Protocol; want != "" && want != protocol || want == "" && protocol != "TCP" {
		return false, nil
	}
	switch v := p.Port.(type) {
	case nil:
		return true, nil
	case float64:
		end := int(v)
		if p.EndPort > 0 {
			end = p.EndPort
		}
		return port >= int(v) && port <= end, nil
	case string:
		if n, err := strconv.Atoi(v); err == nil {
			return n == port, nil
		}
		n, declared := dest.NamedPorts[v]
		if !declared {
			return false, fmt.Errorf("port %q: the destination pod declares no port of that name", v)
		}
		return n == port, nil
	}
	return false, fmt.Errorf("port %v: neither a number nor a name", p.Port)
}
