package kservegateway

import (
	"fmt"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/preset"
)

// Kind is the typed functionConfig kind.
const Kind = "KServeGateway"

// Deployment modes: the values of deploymentMode.
const (
	// Standard serves each InferenceService from a Deployment, routed by
	// the HTTPRoutes KServe writes on the Gateway.
	Standard = "Standard"
	// Serverless serves it through Knative Serving (KServe's default
	// upstream), whose networking layer is Istio's.
	Serverless = "Serverless"
)

// What to do with Knative Serving: the values of knativeServing.
const (
	// KnativeKeep leaves Knative Serving and net-istio in the bundle.
	KnativeKeep = "keep"
	// KnativeRemove drops them from the bundle.
	KnativeRemove = "remove"
)

// Config is the functionConfig.
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// Preset is kubeflow, generic or unset (detected from the bundle): it
	// decides the default of gateway.
	Preset preset.Preset `json:"preset,omitempty"`
	// DeploymentMode is KServe's defaultDeploymentMode: Standard (the
	// default) or Serverless.
	DeploymentMode string `json:"deploymentMode,omitempty"`
	// Gateway is the Gateway KServe's HTTPRoutes attach to
	// (kserveIngressGateway). Default under the kubeflow preset: the
	// kgateway Gateway of kgateway-route; required under generic.
	Gateway ingress.Gateway `json:"gateway"`
	// KnativeServing is keep (the default) or remove.
	KnativeServing string `json:"knativeServing,omitempty"`
}

// Defaults is the configuration for upstream Kubeflow, the fields the
// preset decides left out (resolve fills them).
func Defaults() Config {
	return Config{DeploymentMode: Standard, KnativeServing: KnativeKeep}
}

// Validate checks every field that has a format.
func (c *Config) Validate() error {
	if err := c.Preset.Validate(); err != nil {
		return err
	}
	if err := kit.CheckOneOf("deploymentMode", c.DeploymentMode, Standard, Serverless); err != nil {
		return err
	}
	if err := kit.CheckOneOf("knativeServing", c.KnativeServing, KnativeKeep, KnativeRemove); err != nil {
		return err
	}
	if c.KnativeServing == KnativeRemove && c.DeploymentMode == Serverless {
		return fmt.Errorf("knativeServing %q with deploymentMode %q: Serverless InferenceServices run on Knative Serving; remove it only with deploymentMode %q", KnativeRemove, Serverless, Standard)
	}
	if (c.Gateway.Namespace == "") != (c.Gateway.Name == "") {
		return fmt.Errorf("gateway: give both namespace and name, or neither")
	}
	if c.Gateway.Namespace != "" {
		if err := kit.CheckDNSLabel("gateway.namespace", c.Gateway.Namespace); err != nil {
			return err
		}
		// KServe checks both parts of kserveIngressGateway as DNS labels
		// (configmap.go validateIngressGateway): a dotted Gateway name,
		// valid in Kubernetes, would stop its controller.
		if err := kit.CheckDNSLabel("gateway.name", c.Gateway.Name); err != nil {
			return err
		}
	}
	return nil
}
