package ambientmesh

import "github.com/kfgitops/kfgitops/kit"

// runtimeCreator is a controller of the bundle that creates mesh objects at
// run time, which no manifest transformation sees: the ConfigMap that
// configures it, and what its objects do under ambient.
type runtimeCreator struct {
	config  kit.ConfigMapRef
	message string
}

// runtimeCreators are Kubeflow's (research: mesh-gateway-anchors §5.3).
var runtimeCreators = []runtimeCreator{
	{
		config: kit.ConfigMapRef{Namespace: "kubeflow", Name: "profiles-config"},
		message: "the profile controller creates AuthorizationPolicy ns-owner-access-istio in every user namespace at run time: namespace-wide, ALLOW, with L7 rules (request.headers[kubeflow-userid], paths, methods). " +
			"Under ambient, ztunnel keeps only its source.namespace rule, so users coming through the ingress and the notebook controller's culling probe are denied. " +
			"It needs a waypoint in each user namespace and the policy re-targeted at it, which the upstream controller cannot do (kubeflow/dashboard#127 is unmerged): " +
			"add both per profile (for example with a policy engine's generate rule), or keep user namespaces on sidecars by setting namespaceLabelsConfigMaps: [] here and in strip-istio-sidecar",
	},
	{
		config: kit.ConfigMapRef{Namespace: "kubeflow", Name: "notebook-controller-config"},
		message: "the notebook controller creates a VirtualService per Notebook at run time, bound to ISTIO_GATEWAY. kgateway does not read VirtualServices and ambient waypoints support them only as alpha, " +
			"so notebooks are reachable only through the Istio ingress gateway kept as a bridge (kgateway-route's default); keep keepIstioIngressPrincipal: true while the bridge runs",
	},
	{
		config: kit.ConfigMapRef{Namespace: "kubeflow", Name: "tensorboard-controller-config"},
		message: "the tensorboard controller creates a VirtualService per Tensorboard at run time, bound to ISTIO_GATEWAY, and has no switch to stop it. " +
			"Those routes work only through the Istio ingress gateway kept as a bridge (kgateway-route's default); keep keepIstioIngressPrincipal: true while the bridge runs",
	},
}

// runtimeObjects warns, once per controller in the bundle, about the mesh
// objects it will create that this function cannot migrate.
func (m *migration) runtimeObjects() error {
	if len(m.ambient) == 0 {
		return nil
	}
	for _, c := range runtimeCreators {
		for _, o := range m.b.configMaps {
			if c.config.Matches(o) {
				m.warn(o, "", "%s", c.message)
				break
			}
		}
	}
	return nil
}
