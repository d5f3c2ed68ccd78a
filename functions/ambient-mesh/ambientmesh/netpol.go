package ambientmesh

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// The Istio ingress gateway as NetworkPolicy rules name it.
const (
	istioIngressNamespace = "istio-system"
	istioIngressAppLabel  = "app"
)

// labelSelector is a NetworkPolicy's Kubernetes label selector.
type labelSelector metav1.LabelSelector

// names reports whether the selector requires key to be value (matchLabels,
// or an In expression listing it).
func (s *labelSelector) names(key, value string) bool {
	if s == nil {
		return false
	}
	if s.MatchLabels[key] == value {
		return true
	}
	for _, e := range s.MatchExpressions {
		if e.Key == key && e.Operator == metav1.LabelSelectorOpIn && slices.Contains(e.Values, value) {
			return true
		}
	}
	return false
}

// matches reports whether the selector selects labels, with Kubernetes' own
// semantics (apimachinery, as kit's admission matching): nil selects
// nothing, empty selects everything, and a malformed one nothing.
func (s *labelSelector) matches(l map[string]string) bool {
	if s == nil {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector((*metav1.LabelSelector)(s))
	return err == nil && sel.Matches(labels.Set(l))
}

func (s *labelSelector) empty() bool {
	return s == nil || (len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0)
}

type networkPolicyPeer struct {
	NamespaceSelector *labelSelector `json:"namespaceSelector"`
	PodSelector       *labelSelector `json:"podSelector"`
}

// networkPolicies opens port-restricted ingress rules in ambient namespaces
// to HBONE (ztunnel delivers mesh traffic on 15008) and admits the kgateway
// proxy pods wherever Istio's ingress gateway pods are admitted.
func (m *migration) networkPolicies() error {
	for _, o := range m.b.netpols {
		ns := m.b.scope.Namespace(o)
		var changes []string
		err := kit.EditRNode(o, func(rn *yaml.RNode) error {
			rules, err := rn.Pipe(yaml.Lookup("spec", "ingress"))
			if err != nil || rules == nil || rules.YNode().Kind != yaml.SequenceNode {
				return err
			}
			for i, rule := range rules.Content() {
				r := yaml.NewRNode(rule)
				if m.ambient[ns] && m.cfg.AllowHBONEInNetworkPolicies {
					added, err := addHBONEPort(r)
					if err != nil {
						return err
					}
					if added {
						changes = append(changes, fmt.Sprintf("ingress[%d]: allowed TCP %d (HBONE)", i, hbonePort))
					}
				}
				if gw := m.ingress; gw != nil && m.cfg.AdmitIngressGatewayInNetworkPolicies {
					added, err := addGatewayPeer(r, ns, *gw)
					if err != nil {
						return err
					}
					if added {
						changes = append(changes, fmt.Sprintf("ingress[%d]: admitted the kgateway pods of %s/%s next to the Istio ingress gateway", i, gw.Namespace, gw.Name))
					}
				}
			}
			return nil
		})
		if err != nil {
			return kit.Errorf(o, "spec.ingress", "%v", err)
		}
		if len(changes) > 0 {
			m.touch(o)
			m.info(o, "spec.ingress", "%s", strings.Join(changes, "; "))
		}
	}
	return nil
}

// addHBONEPort adds TCP 15008 to a rule that lists ports.
func addHBONEPort(rule *yaml.RNode) (bool, error) {
	ports := rule.Field("ports")
	if ports == nil || ports.Value.YNode().Kind != yaml.SequenceNode || len(ports.Value.Content()) == 0 {
		return false, nil
	}
	for _, p := range ports.Value.Content() {
		if v := yaml.NewRNode(p).Field("port"); v != nil && v.Value.YNode().Value == fmt.Sprint(hbonePort) {
			return false, nil
		}
	}
	node, err := yaml.Parse(fmt.Sprintf("port: %d\nprotocol: TCP\n", hbonePort))
	if err != nil {
		return false, err
	}
	ports.Value.YNode().Content = append(ports.Value.YNode().Content, node.YNode())
	return true, nil
}

// addGatewayPeer adds the kgateway pods to a rule whose sources admit the
// Istio ingress gateway pods (by namespace, or by namespace and pod labels).
func addGatewayPeer(rule *yaml.RNode, ns string, gw ingress.Gateway) (bool, error) {
	from := rule.Field("from")
	if from == nil || from.Value.YNode().Kind != yaml.SequenceNode {
		return false, nil
	}
	ingress := false
	for _, n := range from.Value.Content() {
		var p networkPolicyPeer
		s, err := yaml.NewRNode(n).String()
		if err != nil {
			return false, err
		}
		if err := sigsyaml.Unmarshal([]byte(s), &p); err != nil {
			continue
		}
		if p.NamespaceSelector.names(namespaceNameLabel, gw.Namespace) && p.PodSelector.names(gatewayNamePodLabel, gw.Name) {
			return false, nil
		}
		// a namespace selector for istio-system is there for its gateway;
		// a same-namespace peer in istio-system must name the gateway pods.
		gatewayPods := p.PodSelector.names(istioIngressAppLabel, istioIngressPodApp)
		if p.NamespaceSelector.names(namespaceNameLabel, istioIngressNamespace) && (p.PodSelector.empty() || gatewayPods) ||
			p.NamespaceSelector == nil && ns == istioIngressNamespace && gatewayPods {
			ingress = true
		}
	}
	if !ingress {
		return false, nil
	}
	node, err := yaml.Parse(fmt.Sprintf("namespaceSelector:\n  matchLabels:\n    %s: %s\npodSelector:\n  matchLabels:\n    %s: %s\n",
		namespaceNameLabel, gw.Namespace, gatewayNamePodLabel, gw.Name))
	if err != nil {
		return false, err
	}
	from.Value.YNode().Content = append(from.Value.YNode().Content, node.YNode())
	return true, nil
}

// waypointNetworkPolicy admits, on the waypoint pods, the sources that the
// namespace's NetworkPolicies admit to the pods behind the waypoint: mesh
// traffic for those Services now enters the namespace at the waypoint.
// Nothing is needed where no NetworkPolicy selects those pods.
func (m *migration) waypointNetworkPolicy(ns string, st *waypointState) error {
	name := m.cfg.WaypointName
	if m.b.ids[idOf("NetworkPolicy", ns, name)] != nil {
		return nil
	}
	var peers []any
	seen := map[string]bool{}
	selected, anySource := false, false
	for _, o := range m.b.netpols {
		if m.b.scope.Namespace(o) != ns || o.GetAnnotation(generatedByAnnotation) == FunctionName {
			continue
		}
		var np struct {
			Spec struct {
				PodSelector *labelSelector `json:"podSelector"`
				Ingress     []struct {
					From []map[string]any `json:"from"`
				} `json:"ingress"`
			} `json:"spec"`
		}
		if err := sigsyaml.Unmarshal(o.GetMap("spec").Bytes(), &np.Spec); err != nil {
			return kit.Errorf(o, "spec", "%v", err)
		}
		if !m.selectsBound(ns, st, np.Spec.PodSelector) {
			continue
		}
		selected = true
		for _, rule := range np.Spec.Ingress {
			if len(rule.From) == 0 {
				anySource = true
			}
			for _, peer := range rule.From {
				b, _ := sigsyaml.Marshal(peer)
				if !seen[string(b)] {
					seen[string(b)] = true
					peers = append(peers, peer)
				}
			}
		}
	}
	if !selected {
		return nil
	}
	var np networkPolicyObject
	np.APIVersion, np.Kind = "networking.k8s.io/v1", "NetworkPolicy"
	np.Metadata = generatedMeta(np.Kind, ns, name, "")
	np.Spec.PodSelector = matchLabels{MatchLabels: map[string]string{gatewayNamePodLabel: name}}
	rule := networkPolicyRule{Ports: []networkPolicyPort{{Port: hbonePort, Protocol: "TCP"}}}
	if !anySource {
		rule.From = peers
	}
	np.Spec.Ingress = []networkPolicyRule{rule}
	np.Spec.PolicyTypes = []string{"Ingress"}
	o, err := toObject(np)
	if err != nil {
		return err
	}
	m.b.ids[idOf("NetworkPolicy", ns, name)] = o
	m.added = append(m.added, o)
	m.info(o, "spec.ingress", "admits on TCP %d the sources this namespace's NetworkPolicies admit to the pods behind the waypoint", hbonePort)
	return nil
}

// selectsBound reports whether a pod selector selects a pod behind the waypoint.
func (m *migration) selectsBound(ns string, st *waypointState, sel *labelSelector) bool {
	if sel == nil {
		return false
	}
	for _, s := range m.b.services[ns] {
		if !st.services[s] {
			continue
		}
		for _, w := range s.pods {
			if sel.empty() || sel.matches(w.labels) {
				return true
			}
		}
	}
	return false
}
