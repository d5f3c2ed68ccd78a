package kit

import (
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// ServiceRef names an in-cluster Service that the API server calls: an
// admission or conversion webhook, or an aggregated API.
type ServiceRef struct {
	Namespace string
	Name      string
}

func (r ServiceRef) String() string { return r.Namespace + "/" + r.Name }

// Backends resolves what serves a Service inside the bundle: the Service by
// namespace and name, then its selector against the pod-template labels of
// the Deployments, StatefulSets and DaemonSets of its namespace. Webhooks,
// conversion webhooks and APIServices are only usable once those workloads
// are ready, so functions that order or verify a sync need this resolution.
type Backends struct {
	services  map[ServiceRef]*fn.KubeObject
	workloads map[string][]backendWorkload // by namespace
}

type backendWorkload struct {
	object *fn.KubeObject
	labels map[string]string
}

// backendKinds are the workloads whose pods can serve a Service; Argo CD
// has a readiness (health) check for each.
var backendKinds = map[GroupKind]bool{
	DeploymentKind: true, {GroupApps, "StatefulSet"}: true, {GroupApps, "DaemonSet"}: true,
}

// NewBackends indexes the Services and workloads of items.
func NewBackends(items fn.KubeObjects) *Backends {
	b := &Backends{services: map[ServiceRef]*fn.KubeObject{}, workloads: map[string][]backendWorkload{}}
	for _, o := range items {
		gk := GroupKindOf(o)
		switch {
		case gk == ServiceKind:
			b.services[ServiceRef{o.GetNamespace(), o.GetName()}] = o
		case backendKinds[gk]:
			l, _, _ := o.NestedStringMap("spec", "template", "metadata", "labels")
			b.workloads[o.GetNamespace()] = append(b.workloads[o.GetNamespace()], backendWorkload{o, l})
		}
	}
	return b
}

// Service returns the Service, or nil when it is not in the bundle.
func (b *Backends) Service(ref ServiceRef) *fn.KubeObject { return b.services[ref] }

// Workloads returns the workloads whose pods the Service selects, in bundle
// order; none when the Service is absent or has no selector.
func (b *Backends) Workloads(ref ServiceRef) []*fn.KubeObject {
	svc := b.services[ref]
	if svc == nil {
		return nil
	}
	sel, _, _ := svc.NestedStringMap("spec", "selector")
	if len(sel) == 0 {
		return nil
	}
	var out []*fn.KubeObject
	for _, w := range b.workloads[ref.Namespace] {
		if MatchLabels(sel, w.labels) {
			out = append(out, w.object)
		}
	}
	return out
}

// ConversionWebhookService returns the Service of a CRD's conversion
// webhook, or nil when the CRD converts without one.
func ConversionWebhookService(crd *fn.KubeObject) *ServiceRef {
	strategy, _, _ := crd.NestedString("spec", "conversion", "strategy")
	if strategy != "Webhook" {
		return nil
	}
	ns, _, _ := crd.NestedString("spec", "conversion", "webhook", "clientConfig", "service", "namespace")
	name, _, _ := crd.NestedString("spec", "conversion", "webhook", "clientConfig", "service", "name")
	if name == "" {
		return nil
	}
	return &ServiceRef{ns, name}
}

// APIServiceBackend returns the group and version an APIService serves and
// the Service behind it (nil for a local, built-in API).
func APIServiceBackend(o *fn.KubeObject) (group, version string, svc *ServiceRef) {
	group, _, _ = o.NestedString("spec", "group")
	version, _, _ = o.NestedString("spec", "version")
	ns, _, _ := o.NestedString("spec", "service", "namespace")
	name, _, _ := o.NestedString("spec", "service", "name")
	if name != "" {
		svc = &ServiceRef{ns, name}
	}
	return group, version, svc
}

// ServiceCallPort is the port of the service reference at fields of o (a
// CRD's spec.conversion.webhook.clientConfig.service, an APIService's
// spec.service): its port, 443 when unset.
func ServiceCallPort(o *fn.KubeObject, fields ...string) int32 {
	if p, found, _ := o.NestedInt64(append(fields, "port")...); found {
		return int32(p)
	}
	return webhookDefaultPort
}
