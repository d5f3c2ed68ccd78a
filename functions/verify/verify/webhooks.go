package verify

import (
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// serviceRef is a clientConfig.service style reference.
type serviceRef struct {
	object          *fn.KubeObject
	field           string
	namespace, name string
	port            int
}

// serviceRefs lists the Services the API server itself calls: admission
// webhooks, CRD conversion webhooks and aggregated APIs.
func (b *bundle) serviceRefs() ([]serviceRef, error) {
	var out []serviceRef
	for _, gk := range []kit.GroupKind{kit.MutatingWebhookConfigurationKind, kit.ValidatingWebhookConfigurationKind} {
		for _, o := range b.byKind[gk] {
			hooks, err := kit.AdmissionWebhooks(o)
			if err != nil {
				return nil, err
			}
			entries, _, _ := o.NestedSlice("webhooks")
			for _, h := range hooks {
				if h.Service == nil || h.Index >= len(entries) {
					continue
				}
				port, found, _ := entries[h.Index].NestedInt("clientConfig", "service", "port")
				if !found {
					port = 443
				}
				out = append(out, serviceRef{o, h.FieldPath() + ".clientConfig.service", h.Service.Namespace, h.Service.Name, port})
			}
		}
	}
	for _, o := range b.byKind[kit.CustomResourceDefinitionKind] {
		if svc := kit.ConversionWebhookService(o); svc != nil {
			out = append(out, serviceRef{o, "spec.conversion.webhook.clientConfig.service", svc.Namespace, svc.Name, portOr443(o, "spec", "conversion", "webhook", "clientConfig", "service", "port")})
		}
	}
	for _, o := range b.byKind[kit.APIServiceKind] {
		if _, _, svc := kit.APIServiceBackend(o); svc != nil {
			out = append(out, serviceRef{o, "spec.service", svc.Namespace, svc.Name, portOr443(o, "spec", "service", "port")})
		}
	}
	return out, nil
}

func portOr443(o *fn.KubeObject, fields ...string) int {
	if p, found, _ := o.NestedInt(fields...); found {
		return p
	}
	return 443
}

func checkWebhookServices(b *bundle, r *reporter) error {
	refs, err := b.serviceRefs()
	if err != nil {
		return err
	}
	for _, s := range refs {
		if b.external(kit.ServiceKind, s.namespace, s.name) {
			continue
		}
		svc := b.get(kit.ServiceKind, s.namespace, s.name)
		if svc == nil {
			r.errorf(s.object, s.field+".name", "Service %s/%s is not in the bundle", s.namespace, s.name)
			continue
		}
		if !servicePorts(svc)[s.port] {
			r.errorf(s.object, s.field+".port", "Service %s/%s has no port %d (ports: %s)", s.namespace, s.name, s.port, portList(svc))
		}
	}
	return nil
}

func checkServiceSelectors(b *bundle, r *reporter) error {
	for _, svc := range b.byKind[kit.ServiceKind] {
		if t, _, _ := svc.NestedString("spec", "type"); t == "ExternalName" {
			continue
		}
		backends, hasSelector := b.workloads.ServiceBackends(svc)
		if hasSelector && len(backends) == 0 {
			sel, _, _ := svc.NestedStringMap("spec", "selector")
			r.errorf(svc, "spec.selector", "selects no pod template of the bundle in namespace %s (%s)", svc.GetNamespace(), kit.FormatLabels(sel))
		}
	}
	return nil
}

// webhookBackend is the first workload (by sync wave) behind a webhook's
// Service, resolved as set-sync-wave resolves it.
func (b *bundle) webhookBackend(h *kit.AdmissionWebhook) (*fn.KubeObject, bool) {
	if h.Service == nil {
		return nil, false
	}
	var first *fn.KubeObject
	for _, o := range b.backends.Workloads(*h.Service) {
		if first == nil || b.wave(o) < b.wave(first) {
			first = o
		}
	}
	return first, first != nil
}
