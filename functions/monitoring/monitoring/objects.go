package monitoring

import (
	"maps"
	"strconv"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The Prometheus Operator's kinds this function writes.
const monitoringGroup = "monitoring.coreos.com"

var (
	ServiceMonitorKind = kit.GroupKind{Group: monitoringGroup, Kind: "ServiceMonitor"}
	PodMonitorKind     = kit.GroupKind{Group: monitoringGroup, Kind: "PodMonitor"}
	PrometheusRuleKind = kit.GroupKind{Group: monitoringGroup, Kind: "PrometheusRule"}
)

// ManagedBy is the marker label value of every object this function
// writes: a re-run replaces them.
const ManagedBy = "kfgitops-monitoring"

// tokenFile is the service-account token Prometheus sends to the endpoints
// behind kube-rbac-proxy (its own pod's token).
const tokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"

// metricsReader is the ClusterRole kube-rbac-proxy's SubjectAccessReview
// asks for: get on the non-resource URL /metrics.
const metricsReader = "kfgitops-monitoring-metrics-reader"

type object struct {
	kit.Header `yaml:",inline"`
	Spec       map[string]any `yaml:"spec,omitempty"`
}

// meta is a written object's metadata: the marker, the configured labels
// (on the Prometheus Operator's objects) and its own file.
func meta(kind, ns, name string, labels map[string]string) kit.ObjectMeta {
	m := kit.GeneratedMeta(FunctionName, kind, ns, name, nil)
	m.Labels = maps.Clone(labels)
	if m.Labels == nil {
		m.Labels = map[string]string{}
	}
	m.Labels[kit.ManagedByLabel] = ManagedBy
	return m
}

// monitorNamespace is where a target's monitor lives.
func monitorNamespace(cfg *Config, t Target) string {
	switch {
	case cfg.Namespace != "":
		return cfg.Namespace
	case t.MonitorIn != "":
		return t.MonitorIn
	}
	return t.Namespace
}

// endpoint is one scrape endpoint of a monitor.
func endpoint(cfg *Config, t Target) map[string]any {
	ep := map[string]any{"path": t.Path, "scheme": t.Scheme}
	if t.Port != "" {
		ep["port"] = t.Port
	} else {
		ep["portNumber"] = t.PortNumber
	}
	if cfg.Interval != "" {
		ep["interval"] = cfg.Interval
	}
	if t.Scheme == "https" {
		ep["tlsConfig"] = map[string]any{"insecureSkipVerify": true}
	}
	if t.Auth == "token" {
		ep["bearerTokenFile"] = tokenFile
	}
	return ep
}

// newMonitor is the target's ServiceMonitor or PodMonitor.
func newMonitor(cfg *Config, r resolved) (*fn.KubeObject, error) {
	ns := map[string]any{"matchNames": []any{r.Namespace}}
	if r.AnyNamespace {
		ns = map[string]any{"any": true}
	}
	spec := map[string]any{"namespaceSelector": ns}
	ep := endpoint(cfg, r.Target)
	kind := r.Monitor()
	if kind == ServiceMonitorKind.Kind {
		// A Service's labels need not single it out (kserve's two Services
		// on the same pods carry the same ones): keep only this Service.
		ep["relabelings"] = []any{map[string]any{
			"action": "keep", "sourceLabels": []any{"__meta_kubernetes_service_name"}, "regex": r.Service,
		}}
		spec["selector"] = map[string]any{"matchLabels": toAny(r.serviceLabels)}
		spec["endpoints"] = []any{ep}
	} else {
		spec["selector"] = map[string]any{"matchLabels": toAny(r.podSelector)}
		spec["podMetricsEndpoints"] = []any{ep}
	}
	o := object{kit.Header{APIVersion: monitoringGroup + "/v1", Kind: kind, Metadata: meta(kind, monitorNamespace(cfg, r.Target), r.Name, cfg.Labels)}, spec}
	return kit.NewObject(o)
}

// newScrapePolicy admits Prometheus, and only Prometheus, to the metrics
// port of the target's pods, at ztunnel (L4: principal and port; a path
// would be an HTTP attribute, which ztunnel cannot see).
func newScrapePolicy(cfg *Config, r resolved) (*fn.KubeObject, error) {
	spec := map[string]any{
		"selector": map[string]any{"matchLabels": toAny(r.podSelector)},
		"action":   "ALLOW",
		"rules": []any{map[string]any{
			"from": []any{map[string]any{"source": map[string]any{"principals": []any{cfg.Prometheus.Principal()}}}},
			"to":   []any{map[string]any{"operation": map[string]any{"ports": []any{strconv.Itoa(r.ContainerPort)}}}},
		}},
	}
	kind := istio.AuthorizationPolicyKind.Kind
	o := object{kit.Header{APIVersion: istio.AuthorizationPolicyKind.Group + "/v1", Kind: kind, Metadata: meta(kind, r.Namespace, r.Name+"-prometheus-scrape", nil)}, spec}
	return kit.NewObject(o)
}

type rbacObject struct {
	kit.Header `yaml:",inline"`
	Rules      []map[string]any `yaml:"rules,omitempty"`
	RoleRef    map[string]any   `yaml:"roleRef,omitempty"`
	Subjects   []map[string]any `yaml:"subjects,omitempty"`
}

// metricsReaderRBAC lets Prometheus' service account through
// kube-rbac-proxy: get on /metrics, nothing else.
func metricsReaderRBAC(cfg *Config) (fn.KubeObjects, error) {
	role := rbacObject{Header: kit.Header{APIVersion: kit.GroupRBAC + "/v1", Kind: "ClusterRole", Metadata: meta("ClusterRole", "", metricsReader, nil)},
		Rules: []map[string]any{{"nonResourceURLs": []any{"/metrics"}, "verbs": []any{"get"}}}}
	binding := rbacObject{Header: kit.Header{APIVersion: kit.GroupRBAC + "/v1", Kind: "ClusterRoleBinding", Metadata: meta("ClusterRoleBinding", "", metricsReader, nil)},
		RoleRef:  map[string]any{"apiGroup": kit.GroupRBAC, "kind": "ClusterRole", "name": metricsReader},
		Subjects: []map[string]any{{"kind": "ServiceAccount", "name": cfg.Prometheus.ServiceAccount, "namespace": cfg.Prometheus.Namespace}}}
	var out fn.KubeObjects
	for _, v := range []any{role, binding} {
		o, err := kit.NewObject(v)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func toAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
