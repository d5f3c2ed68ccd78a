// Package ingress is the identity of the kgateway Gateway that replaces
// Istio's ingress gateway: the functions that emit the Gateway
// (kgateway-route) and that admit its traffic (ambient-mesh) derive the same
// names from it, so that they agree.
package ingress

// Gateway names the kgateway Gateway. kgateway runs its proxy under a
// ServiceAccount named after the Gateway, so the mesh identity of ingress
// traffic is derived from it.
type Gateway struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// Principal is the Istio mesh identity of the gateway's proxy pods.
func (g Gateway) Principal() string {
	return "cluster.local/ns/" + g.Namespace + "/sa/" + g.Name
}

// RoutesLabel is the label, valued RoutesLabelValue, of the namespaces from
// which the gateway's listeners admit routes.
func (g Gateway) RoutesLabel() string {
	return "gateway.kfgitops.dev/" + g.Namespace + "." + g.Name
}

// RoutesLabelValue is the value of Gateway.RoutesLabel.
const RoutesLabelValue = "routes"
