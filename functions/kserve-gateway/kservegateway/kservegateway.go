// Package kservegateway puts KServe on the Gateway API: it edits KServe's
// inferenceservice-config so that InferenceServices are served in Standard
// mode and KServe writes HTTPRoutes attached to the kgateway Gateway.
package kservegateway

import (
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kfgitops/kfgitops/kit/preset"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// FunctionName is the function's name.
const FunctionName = "kserve-gateway"

// Function is kserve-gateway.
var Function = kit.Definition[Config]{
	FunctionName: FunctionName,
	Kind:         Kind,
	Defaults:     Defaults,
	Run:          Run,
	Removes:      knativeServingKinds,
}

// Run edits rl's inferenceservice-config.
func Run(rl *fn.ResourceList, cfg *Config) error {
	res := preset.Resolve(cfg.Preset, rl.Items)
	kit.Info(&rl.Results, nil, "", "preset %s (%s)", res.Preset, res.Reason)
	knative := ""
	if cfg.KnativeServing == KnativeRemove {
		note, err := removeKnativeServing(rl)
		if err != nil {
			return err
		}
		knative = "; " + note
	}
	cm, err := findConfig(rl.Items)
	if err != nil || cm == nil {
		if err == nil {
			if knative == "" {
				knative = ", nothing changed"
			}
			kit.Summary(&rl.Results, "%s: no ConfigMap %s in the bundle (KServe is not part of it)%s", FunctionName, ConfigMapName, knative)
		}
		return err
	}
	gw, err := resolveGateway(res.Preset, cfg)
	if err != nil {
		return err
	}
	changed, err := editConfig(cm, settings(cfg, gw), &rl.Results)
	if err != nil {
		return err
	}
	what := "already set, unchanged"
	if len(changed) > 0 {
		what = "set " + strings.Join(changed, ", ")
	}
	kit.Summary(&rl.Results, "%s: %s %s: defaultDeploymentMode %s, HTTPRoutes on Gateway %s/%s (%s)%s",
		FunctionName, cm.GetNamespace(), cm.GetName(), deploymentModeValue[cfg.DeploymentMode], gw.Namespace, gw.Name, what, knative)
	return nil
}

// resolveGateway is the configured Gateway, or under the kubeflow preset
// kgateway-route's Gateway for Kubeflow.
func resolveGateway(p preset.Preset, cfg *Config) (ingress.Gateway, error) {
	if cfg.Gateway.Name != "" {
		return cfg.Gateway, nil
	}
	if p == preset.Kubeflow {
		return kubeflow.IngressGateway, nil
	}
	return ingress.Gateway{}, fmt.Errorf("gateway: required under the generic preset (namespace and name of the Gateway KServe's HTTPRoutes attach to)")
}

// findConfig is the bundle's inferenceservice-config (kustomize's hash
// suffix matched), in whichever namespace KServe is installed; nil: none.
func findConfig(items fn.KubeObjects) (*fn.KubeObject, error) {
	var found *fn.KubeObject
	for _, o := range kit.EditableItems(items) {
		ref := kit.ConfigMapRef{Namespace: o.GetNamespace(), Name: ConfigMapName}
		if !ref.Matches(o) {
			continue
		}
		if found != nil {
			return nil, kit.Errorf(o, "", "a second ConfigMap %s (the first is in namespace %q): which one KServe reads is not known here", ConfigMapName, found.GetNamespace())
		}
		found = o
	}
	return found, nil
}
