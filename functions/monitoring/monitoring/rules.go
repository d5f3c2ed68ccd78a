package monitoring

import (
	_ "embed"
	"fmt"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// Alert is one alerting rule of rules.yaml.
type Alert struct {
	Failure     string `json:"failure"`
	Needs       string `json:"needs"`
	Alert       string `json:"alert"`
	Expr        string `json:"expr"`
	For         string `json:"for,omitempty"`
	Severity    string `json:"severity"`
	Summary     string `json:"summary"`
	Description string `json:"description"`
}

// Unobservable is a failure no metric shows.
type Unobservable struct {
	Failure string `json:"failure"`
	Why     string `json:"why"`
}

// RuleTable is rules.yaml.
type RuleTable struct {
	Alerts       []Alert        `json:"alerts"`
	Unobservable []Unobservable `json:"unobservable"`
}

//go:embed rules.yaml
var rulesYAML []byte

// Rules is the table of alerts.
var Rules = func() RuleTable {
	var t RuleTable
	if err := yaml.UnmarshalStrict(rulesYAML, &t); err != nil {
		panic(fmt.Sprintf("rules.yaml: %v", err))
	}
	return t
}()

// rulesName is the PrometheusRule's name.
const rulesName = "kubeflow-gitops"

// newPrometheusRule holds every alert of the table in one group.
func newPrometheusRule(cfg *Config) (*fn.KubeObject, error) {
	var rules []any
	for _, a := range Rules.Alerts {
		rule := map[string]any{
			"alert":       a.Alert,
			"expr":        a.Expr,
			"labels":      map[string]any{"severity": a.Severity},
			"annotations": map[string]any{"summary": a.Summary, "description": a.Description},
		}
		if a.For != "" {
			rule["for"] = a.For
		}
		rules = append(rules, rule)
	}
	ns := cfg.Namespace
	if ns == "" {
		ns = cfg.Gateway.Namespace
	}
	kind := PrometheusRuleKind.Kind
	o := object{kit.Header{APIVersion: monitoringGroup + "/v1", Kind: kind, Metadata: meta(kind, ns, rulesName, cfg.Labels)},
		map[string]any{"groups": []any{map[string]any{"name": "kubeflow-gitops", "rules": rules}}}}
	return kit.NewObject(o)
}
