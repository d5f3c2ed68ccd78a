package monitoring

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
)

// Kind is the typed functionConfig kind.
const Kind = "Monitoring"

// Config is the functionConfig. The zero value (no functionConfig) is off:
// nothing is added and nothing changes.
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// Enable turns the function on.
	Enable bool `json:"enable"`
	// Namespace holds every monitor and rule when set (each selects its
	// targets' namespace by name); empty puts each monitor in the
	// namespace of what it scrapes.
	Namespace string `json:"namespace"`
	// Labels go on every monitor and rule, e.g. the label the Prometheus
	// resource's serviceMonitorSelector, podMonitorSelector and
	// ruleSelector select (kube-prometheus-stack: release: <release>).
	Labels map[string]string `json:"labels,omitempty"`
	// Interval is every endpoint's scrape interval (Prometheus duration);
	// empty leaves Prometheus' global interval.
	Interval string `json:"interval"`
	// Groups are the target groups to monitor; empty is every group.
	Groups []string `json:"groups,omitempty"`
	// Rules adds the PrometheusRule with an alert per failure of
	// docs/troubleshooting.md that a metric shows.
	Rules bool `json:"rules"`
	// Prometheus is the identity Prometheus scrapes with: the scrape
	// policies admit its principal, kube-rbac-proxy its token.
	Prometheus ServiceAccount `json:"prometheus"`
	// Gateway is the kgateway Gateway kgateway-route emits (its proxy pods
	// and, in its namespace, the runtime-sync controller).
	Gateway ingress.Gateway `json:"gateway"`
	// KgatewayNamespace is where kgateway's control plane runs (installed
	// with the platform, not in the bundle).
	KgatewayNamespace string `json:"kgatewayNamespace"`
	// RootNamespace is Istio's root namespace, whose policies apply in
	// every namespace.
	RootNamespace string `json:"rootNamespace"`
}

// ServiceAccount names a Kubernetes service account.
type ServiceAccount struct {
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"serviceAccount"`
}

// Principal is the account's mesh identity (SPIFFE, trust domain
// cluster.local as the rest of the pipeline).
func (s ServiceAccount) Principal() string {
	return "cluster.local/ns/" + s.Namespace + "/sa/" + s.ServiceAccount
}

// Defaults is off, with upstream Kubeflow's Gateway and kgateway's
// install namespace for when it is turned on.
func Defaults() Config {
	return Config{Gateway: kubeflow.IngressGateway, KgatewayNamespace: "kgateway-system", RootNamespace: "istio-system"}
}

// durationPattern is the Prometheus Operator CRDs' pattern for a duration.
var durationPattern = regexp.MustCompile(`^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$`)

// Validate checks the config on its own.
func (c *Config) Validate() error {
	var problems []string
	check := func(err error) {
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	if c.Namespace != "" {
		check(kit.CheckDNSLabel("namespace", c.Namespace))
	}
	for _, k := range slices.Sorted(maps.Keys(c.Labels)) {
		v := c.Labels[k]
		if k == kit.ManagedByLabel {
			problems = append(problems, fmt.Sprintf("labels: %s is the function's marker", k))
		}
		if len(v) > 63 {
			problems = append(problems, fmt.Sprintf("labels.%s: longer than 63 characters", k))
		}
	}
	if c.Interval != "" && !durationPattern.MatchString(c.Interval) {
		problems = append(problems, fmt.Sprintf("interval %q: not a Prometheus duration (30s, 1m)", c.Interval))
	}
	known := GroupNames()
	for i, g := range c.Groups {
		if !slices.Contains(known, g) {
			problems = append(problems, fmt.Sprintf("groups[%d]: unknown group %q (known: %s)", i, g, strings.Join(known, ", ")))
		}
	}
	if c.Enable {
		if c.Prometheus.Namespace == "" || c.Prometheus.ServiceAccount == "" {
			problems = append(problems, "prometheus.namespace and prometheus.serviceAccount are required with enable: true: the scrape policies admit that identity and no other")
		} else {
			check(kit.CheckDNSLabel("prometheus.namespace", c.Prometheus.Namespace))
			check(kit.CheckDNSSubdomain("prometheus.serviceAccount", c.Prometheus.ServiceAccount))
		}
		check(kit.CheckDNSLabel("gateway.namespace", c.Gateway.Namespace))
		check(kit.CheckDNSLabel("kgatewayNamespace", c.KgatewayNamespace))
		check(kit.CheckDNSLabel("rootNamespace", c.RootNamespace))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// included reports whether group g is monitored.
func (c *Config) included(g string) bool {
	return len(c.Groups) == 0 || slices.Contains(c.Groups, g)
}
