package ambientmesh

import "github.com/kfgitops/kfgitops/kit"

// runtimeCreator is a controller of the bundle that creates mesh objects at
// run time, which no manifest transformation sees: the ConfigMap that
// configures it, what the runtime-sync controller does with its objects,
// and what they do under ambient without it.
type runtimeCreator struct {
	config             kit.ConfigMapRef
	handled, unhandled string
}

// runtimeCreators are Kubeflow's: the profile controller (and kfam, in its
// pod), the notebook and tensorboard controllers, and the Volumes web app,
// whose PVCViewers the pvcviewer controller turns into VirtualServices.
var runtimeCreators = []runtimeCreator{
	{
		config: kit.ConfigMapRef{Namespace: "kubeflow", Name: "profiles-config"},
		handled: "the profile controller creates AuthorizationPolicy ns-owner-access-istio in every profile namespace at run time, and kfam one user-<email>-clusterrole-<role> per contributor: namespace-wide ALLOW policies with L7 rules. " +
			"The runtime-sync controller gives each profile namespace its waypoint (bound through the namespace labels) and derives from each policy its copy at the waypoint and its ztunnel companion, as this function does at render time",
		unhandled: "the profile controller creates AuthorizationPolicy ns-owner-access-istio in every user namespace at run time (and kfam one per contributor): namespace-wide, ALLOW, with L7 rules (request.headers[kubeflow-userid], paths, methods). " +
			"Under ambient, ztunnel keeps only its source.namespace rule, so users coming through the ingress and the notebook controller's culling probe are denied. " +
			"It needs a waypoint in each user namespace and the policy re-targeted at it, which the upstream controller cannot do (kubeflow/dashboard#127 is unmerged): " +
			"set runtimeSync.enabled (with kgateway-route's runtimeRoutes.mode: controller), or keep user namespaces on sidecars by setting namespaceLabelsConfigMaps: [] here and in strip-istio-sidecar",
	},
	{
		config:  kit.ConfigMapRef{Namespace: "kubeflow", Name: "notebook-controller-config"},
		handled: "the notebook controller creates a VirtualService per Notebook at run time, bound to ISTIO_GATEWAY: the runtime-sync controller turns each into an HTTPRoute on the kgateway Gateway",
		unhandled: "the notebook controller creates a VirtualService per Notebook at run time, bound to ISTIO_GATEWAY. kgateway does not read VirtualServices and ambient waypoints support them only as alpha, " +
			"so notebooks are reachable only through the Istio ingress gateway kept as a bridge (kgateway-route's runtimeRoutes.mode: bridge); keep keepIstioIngressPrincipal: true while the bridge runs",
	},
	{
		config:  kit.ConfigMapRef{Namespace: "kubeflow", Name: "tensorboard-controller-config"},
		handled: "the tensorboard controller creates a VirtualService per Tensorboard at run time, bound to ISTIO_GATEWAY: the runtime-sync controller turns each into an HTTPRoute on the kgateway Gateway",
		unhandled: "the tensorboard controller creates a VirtualService per Tensorboard at run time, bound to ISTIO_GATEWAY, and has no switch to stop it. " +
			"Those routes work only through the Istio ingress gateway kept as a bridge (kgateway-route's runtimeRoutes.mode: bridge); keep keepIstioIngressPrincipal: true while the bridge runs",
	},
	{
		config:  kit.ConfigMapRef{Namespace: "kubeflow", Name: "volumes-web-app-viewer-spec"},
		handled: "the Volumes web app creates PVCViewers at run time, for which the pvcviewer controller creates VirtualServices bound to the Istio gateway: the runtime-sync controller turns each into an HTTPRoute on the kgateway Gateway",
		unhandled: "the Volumes web app creates PVCViewers at run time, for which the pvcviewer controller creates VirtualServices bound to the Istio gateway. " +
			"Those routes work only through the Istio ingress gateway kept as a bridge (kgateway-route's runtimeRoutes.mode: bridge); keep keepIstioIngressPrincipal: true while the bridge runs",
	},
}

// runtimeObjects reports, once per controller in the bundle, the mesh
// objects it will create: handled by the runtime-sync controller (info), or
// left for nothing to migrate (warning).
func (m *migration) runtimeObjects() error {
	if len(m.ambient) == 0 {
		return nil
	}
	for _, c := range runtimeCreators {
		for _, o := range m.b.configMaps {
			if !c.config.Matches(o) {
				continue
			}
			if m.cfg.RuntimeSync.Enabled {
				m.info(o, "", "%s", c.handled)
			} else {
				m.warn(o, "", "%s", c.unhandled)
			}
			break
		}
	}
	return nil
}
