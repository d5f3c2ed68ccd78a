package ambientmesh

import (
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kfgitops/kfgitops/kit/preset"
)

// resolveIngress decides which Gateway's identity replaces the Istio ingress
// gateway's in the bundle's policies: the configured one under the
// Kubeflow preset; under the generic preset only a Gateway that is in the
// bundle or configured (ingressGateway other than Kubeflow's default), else
// none, so that no policy admits an identity nothing in the bundle has.
func (m *migration) resolveIngress(res preset.Resolution) {
	gw := m.cfg.IngressGateway
	_, inBundle := m.b.gateways[gw.Namespace+"/"+gw.Name]
	if res.Preset == preset.Kubeflow || inBundle || gw != kubeflow.IngressGateway {
		m.ingress = &gw
	}
	why := "ingress Gateway " + gw.Namespace + "/" + gw.Name + ", whose identity " + gw.Principal() + " replaces the Istio ingress gateway's in policies"
	if m.ingress == nil {
		why = "no ingress Gateway is configured (ingressGateway) or in the bundle, so no policy gets an ingress identity added"
	}
	kit.Summary(m.results, "%s: preset %s (%s); %s", FunctionName, res.Preset, res.Reason, why)
}

// namesIngress reports whether rules admit the Istio ingress gateway or
// the Gateway that replaces it.
func (m *migration) namesIngress(rules []map[string]any) bool {
	return namesPrincipal(rules, istio.IngressGatewayPrincipal) || m.ingress != nil && namesPrincipal(rules, m.ingress.Principal())
}

// keptIngressPrincipal warns about a policy that admits the Istio ingress
// gateway when nothing replaces it: once that gateway is gone (replaced by
// a kgateway Gateway) the policy admits no ingress traffic.
func (m *migration) keptIngressPrincipal(p *policy) {
	if m.ingress != nil || m.rt != nil || !namesPrincipal(p.rules, istio.IngressGatewayPrincipal) {
		return
	}
	m.warn(p.obj, "spec.rules", "kept %s as it is: no Gateway replacing the Istio ingress gateway is configured or in the bundle, so no identity is added; "+
		"if another Gateway takes over its traffic, set ingressGateway to it (its identity is then admitted here)", istio.IngressGatewayPrincipal)
}
