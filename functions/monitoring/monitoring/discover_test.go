package monitoring_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	corev1 "k8s.io/api/core/v1"
)

// The signs an endpoint is found by, as targets.yaml's `found` names them.
const (
	signServicePort        = "service port"
	signServiceName        = "service name"
	signServiceAnnotations = "service annotations"
	signContainerPort      = "container port"
	signPodAnnotations     = "pod annotations"
	signKubeRBACProxy      = "kube-rbac-proxy"
	signMetricsFlags       = "metrics flags"
	signMetricsEnv         = "metrics env"
)

// metricsName is what a port or Service named for its metrics is called:
// metrics, http-metrics, monitoring-port, http-monitoring,
// tcp-prometheus-servicemonitor, http-envoy-prom, ztunnel-stats, ...
var metricsName = regexp.MustCompile(`metric|monitoring|prom|stats`)

// metricsFlag is a command-line flag that sets a metrics address.
var metricsFlag = regexp.MustCompile(`^--?(metrics-bind-address|metrics-addr|metrics-port|enable-metrics)\b`)

type workload struct {
	labels map[string]string
	signs  map[string]bool
}

// discover finds the metrics endpoints of a render: per workload
// (namespace/Kind/name), the signs it was found by. A Service's signs go to
// the workloads whose pods it selects.
func discover(t *testing.T, items fn.KubeObjects) map[string]map[string]bool {
	t.Helper()
	workloads := map[string]*workload{}
	var order []string
	for _, o := range items {
		switch kit.GroupKindOf(o) {
		case kit.DeploymentKind, kit.GroupKind{Group: kit.GroupApps, Kind: "StatefulSet"}, kit.GroupKind{Group: kit.GroupApps, Kind: "DaemonSet"}:
			key := o.GetNamespace() + "/" + o.GetKind() + "/" + o.GetName()
			workloads[key] = podSigns(t, o)
			order = append(order, key)
		}
	}
	for _, o := range items {
		if !kit.ServiceKind.Is(o) {
			continue
		}
		signs := serviceSigns(t, o)
		var s corev1.Service
		if err := kit.As(&o.SubObject, &s); err != nil {
			t.Fatal(err)
		}
		for _, key := range order {
			w := workloads[key]
			if len(signs) > 0 && strings.HasPrefix(key, o.GetNamespace()+"/") && len(s.Spec.Selector) > 0 && kit.MatchLabels(s.Spec.Selector, w.labels) {
				for _, sg := range signs {
					w.signs[sg] = true
				}
			}
		}
	}
	out := map[string]map[string]bool{}
	for key, w := range workloads {
		if len(w.signs) > 0 {
			out[key] = w.signs
		}
	}
	return out
}

func podSigns(t *testing.T, o *fn.KubeObject) *workload {
	var d struct {
		Spec struct {
			Template corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := kit.As(&o.SubObject, &d); err != nil {
		t.Fatal(err)
	}
	w := &workload{labels: d.Spec.Template.Labels, signs: map[string]bool{}}
	if d.Spec.Template.Annotations["prometheus.io/scrape"] == "true" {
		w.signs[signPodAnnotations] = true
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		for _, p := range c.Ports {
			if metricsName.MatchString(p.Name) {
				w.signs[signContainerPort] = true
			}
		}
		if strings.Contains(c.Image, "kube-rbac-proxy") {
			w.signs[signKubeRBACProxy] = true
		}
		for _, a := range slices.Concat(c.Command, c.Args) {
			if metricsFlag.MatchString(a) {
				w.signs[signMetricsFlags] = true
			}
		}
		for _, e := range c.Env {
			if strings.Contains(e.Name, "METRICS_PORT") {
				w.signs[signMetricsEnv] = true
			}
		}
	}
	return w
}

func serviceSigns(t *testing.T, o *fn.KubeObject) []string {
	var s corev1.Service
	if err := kit.As(&o.SubObject, &s); err != nil {
		t.Fatal(err)
	}
	var signs []string
	if metricsName.MatchString(o.GetName()) {
		signs = append(signs, signServiceName)
	}
	if s.Annotations["prometheus.io/scrape"] == "true" {
		signs = append(signs, signServiceAnnotations)
	}
	for _, p := range s.Spec.Ports {
		if metricsName.MatchString(p.Name) {
			signs = append(signs, signServicePort)
			break
		}
	}
	return signs
}
