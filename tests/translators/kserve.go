package translators

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/template"

	"sigs.k8s.io/yaml"
)

// kserveConfig is what KServe v0.16.0 reads of its inferenceservice-config
// for routing (pkg/apis/serving/v1beta1/configmap.go): the deploy and
// ingress JSON documents.
type kserveConfig struct {
	Deploy struct {
		DefaultDeploymentMode string `json:"defaultDeploymentMode"`
	}
	Ingress struct {
		EnableGatewayAPI         bool     `json:"enableGatewayApi"`
		KserveIngressGateway     string   `json:"kserveIngressGateway"`
		IngressDomain            string   `json:"ingressDomain"`
		AdditionalIngressDomains []string `json:"additionalIngressDomains"`
		DomainTemplate           string   `json:"domainTemplate"`
		PathTemplate             string   `json:"pathTemplate"`
	}
}

// kserveConfigOf decodes the output's inferenceservice-config as KServe's
// controller does (encoding/json, one document per data key).
func kserveConfigOf(out []object) (*kserveConfig, error) {
	for _, o := range out {
		if _, name := meta(o); group(o) != "" || kind(o) != "ConfigMap" || name != "inferenceservice-config" {
			continue
		}
		data := mapOf(o["data"])
		cfg := &kserveConfig{}
		for key, dst := range map[string]any{"deploy": &cfg.Deploy, "ingress": &cfg.Ingress} {
			s, _ := data[key].(string)
			if err := json.Unmarshal([]byte(s), dst); err != nil {
				return nil, fmt.Errorf("%s data.%s: %w", id(o), key, err)
			}
		}
		return cfg, nil
	}
	return nil, fmt.Errorf("the output has no ConfigMap inferenceservice-config")
}

// expand is KServe's template expansion of domainTemplate and pathTemplate
// (utils.GenerateDomainName and the path of httproute_reconciler.go: a
// text/template over Name, Namespace, IngressDomain).
func expand(tmpl, name, namespace, domain string) (string, error) {
	t, err := template.New("kserve").Parse(tmpl)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = t.Execute(&b, map[string]string{"Name": name, "Namespace": namespace, "IngressDomain": domain})
	return b.String(), err
}

// kserveRouteProblems checks a route of the sample against what KServe
// writes under cfg: its parent is kserveIngressGateway, its hostnames the
// expanded domainTemplate (the top-level route also the ingress domain and
// the additional ones, since pathTemplate is set), and the top-level
// route's path rule the expanded pathTemplate with a trailing slash.
func kserveRouteProblems(route object, cfg *kserveConfig) []string {
	ns, name := meta(route)
	isvc, predictor := strings.CutSuffix(name, "-predictor")
	host := isvc
	if predictor {
		host = name
	}
	var problems []string
	d, err := expand(cfg.Ingress.DomainTemplate, host, ns, cfg.Ingress.IngressDomain)
	if err != nil {
		return []string{fmt.Sprintf("domainTemplate: %v", err)}
	}
	want := []any{d}
	if !predictor && cfg.Ingress.PathTemplate != "" {
		want = append(want, cfg.Ingress.IngressDomain)
		for _, extra := range cfg.Ingress.AdditionalIngressDomains {
			want = append(want, extra)
		}
	}
	if got := list(spec(route)["hostnames"]); !slices.Equal(got, want) {
		problems = append(problems, fmt.Sprintf("%s hostnames %v, KServe writes %v", id(route), got, want))
	}
	for _, p := range list(spec(route)["parentRefs"]) {
		if ref := fmt.Sprint(mapOf(p)["namespace"], "/", mapOf(p)["name"]); ref != cfg.Ingress.KserveIngressGateway {
			problems = append(problems, fmt.Sprintf("%s parentRef %s, kserveIngressGateway is %s", id(route), ref, cfg.Ingress.KserveIngressGateway))
		}
	}
	if !predictor && cfg.Ingress.PathTemplate != "" {
		path, err := expand(cfg.Ingress.PathTemplate, isvc, ns, cfg.Ingress.IngressDomain)
		if err != nil {
			return append(problems, fmt.Sprintf("pathTemplate: %v", err))
		}
		rules := list(spec(route)["rules"])
		last := list(mapOf(rules[len(rules)-1])["matches"])
		if got := mapOf(mapOf(last[0])["path"])["value"]; got != path+"/" {
			problems = append(problems, fmt.Sprintf("%s path rule %v, KServe writes %s/", id(route), got, path))
		}
	}
	return problems
}

// profileNamespace is profile namespace name as the profile controller
// makes it: labelled from the namespace-labels file of the output (an empty
// value removes a label, so it sets none).
func profileNamespace(out []object, name string) (object, error) {
	for _, o := range out {
		if _, n := meta(o); kind(o) != "ConfigMap" || !strings.HasPrefix(n, "namespace-labels-data") {
			continue
		}
		var file map[string]string
		if err := yaml.Unmarshal([]byte(fmt.Sprint(mapOf(o["data"])["namespace-labels.yaml"])), &file); err != nil {
			return nil, fmt.Errorf("%s: %w", id(o), err)
		}
		labels := map[string]any{}
		for k, v := range file {
			if v != "" {
				labels[k] = v
			}
		}
		return object{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name, "labels": labels}}, nil
	}
	return nil, fmt.Errorf("the output has no namespace-labels-data ConfigMap")
}
