// Package monitoring adds the Prometheus Operator's ServiceMonitors and
// PodMonitors for the metrics endpoints of the bundle (targets.yaml), of
// the ambient data plane, the waypoints, the kgateway proxy and control
// plane and runtime-sync (platform.go); the AuthorizationPolicies without
// which ztunnel would deny Prometheus' scrapes; and, on request, a
// PrometheusRule with an alert per failure of the troubleshooting guide
// that a metric shows (rules.yaml).
package monitoring

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// FunctionName is the function's name, also the directory kpt writes its
// objects to.
const FunctionName = "monitoring"

// written are the kinds this function writes, which a re-run replaces
// when they carry the marker.
var written = []kit.GroupKind{ServiceMonitorKind, PodMonitorKind, PrometheusRuleKind,
	istio.AuthorizationPolicyKind, kit.ClusterRoleKind, kit.ClusterRoleBindingKind}

// Function is monitoring.
var Function = kit.Definition[Config]{
	FunctionName: FunctionName,
	Kind:         Kind,
	Defaults:     Defaults,
	Run:          Run,
	Removes:      written,
}

// Run adds the monitors (and what they need) to rl.
func Run(rl *fn.ResourceList, cfg *Config) error {
	if !cfg.Enable {
		kit.Summary(&rl.Results, "%s: off, nothing added: set enable: true and prometheus (namespace, serviceAccount) to add ServiceMonitors and PodMonitors for Kubeflow, the mesh and the ingress", FunctionName)
		return nil
	}
	rl.Items = kit.RemoveRendered(rl.Items, ManagedBy, written)
	items := kit.EditableItems(rl.Items)
	if len(items) == 0 {
		// The platform's targets are those of the bundle's platform: an
		// empty bundle has none.
		kit.Summary(&rl.Results, "%s: the bundle is empty, nothing to monitor", FunctionName)
		return nil
	}
	policies, err := allowPolicies(items)
	if err != nil {
		return err
	}
	e := emitter{cfg: cfg, results: &rl.Results, policies: policies}
	b := indexBundle(items)
	for _, t := range Targets.Targets {
		if !cfg.included(t.Group) {
			continue
		}
		r, absent, err := b.resolve(t)
		if absent {
			e.absent = append(e.absent, t.Name)
			continue
		}
		var oe *kit.ObjectError
		if errors.As(err, &oe) {
			kit.Warning(&rl.Results, oe.Object, oe.Field, "%s: %s is not scraped: %v", FunctionName, t.Name, oe.Err)
			continue
		} else if err != nil {
			return err
		}
		r.Captured = true
		if err := e.add(r); err != nil {
			return err
		}
	}
	for _, t := range platformTargets(*cfg) {
		if cfg.included(t.Group) {
			r := resolved{Target: t, podSelector: t.Selector, podLabels: t.Selector, serviceLabels: t.Selector}
			if err := e.add(r); err != nil {
				return err
			}
		}
	}
	if err := e.finish(); err != nil {
		return err
	}
	rl.Items = append(rl.Items, e.out...)
	return nil
}

// emitter collects the objects and counts of a run.
type emitter struct {
	cfg      *Config
	results  *fn.Results
	policies []allowPolicy
	out      fn.KubeObjects
	monitors int
	scrape   []string
	token    bool
	absent   []string
}

func (e *emitter) add(r resolved) error {
	m, err := newMonitor(e.cfg, r)
	if err != nil {
		return fmt.Errorf("%s: %w", r.Name, err)
	}
	e.out = append(e.out, m)
	e.monitors++
	e.token = e.token || r.Auth == "token"
	if by := scrapeNeedsPolicy(e.policies, e.cfg.RootNamespace, r); by != nil {
		p, err := newScrapePolicy(e.cfg, r)
		if err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
		e.out = append(e.out, p)
		e.scrape = append(e.scrape, r.Namespace+"/"+r.Name)
		kit.Info(e.results, p, "spec.rules", "%s: ALLOW policy %s applies to %s's pods, so ztunnel denies every source it does not name: this admits %s to port %d only",
			FunctionName, kit.Describe(by), r.Name, e.cfg.Prometheus.Principal(), r.ContainerPort)
	}
	return nil
}

// finish adds what the monitors need together (kube-rbac-proxy's RBAC, the
// rules) and the summary.
func (e *emitter) finish() error {
	if e.token {
		rbac, err := metricsReaderRBAC(e.cfg)
		if err != nil {
			return err
		}
		e.out = append(e.out, rbac...)
	}
	rules := "no PrometheusRule (rules: false)"
	if e.cfg.Rules {
		pr, err := newPrometheusRule(e.cfg)
		if err != nil {
			return err
		}
		e.out = append(e.out, pr)
		rules = fmt.Sprintf("PrometheusRule %s/%s with %d alerts", pr.GetNamespace(), pr.GetName(), len(Rules.Alerts))
	}
	absent := ""
	if len(e.absent) > 0 {
		absent = fmt.Sprintf("; not in the bundle: %s", strings.Join(e.absent, ", "))
	}
	kit.Summary(e.results, "%s: %d monitors, %d scrape policies admitting %s, %s%s",
		FunctionName, e.monitors, len(e.scrape), e.cfg.Prometheus.Principal(), rules, absent)
	return nil
}
