// Package preset decides whether a function applies its Kubeflow defaults.
//
// The functions are written for Kubeflow but reused by other teams on their
// own bundles. Kubeflow-specific behaviour (the kgateway Gateway in
// kubeflow-system, the kubeflow-userid header, the run-time route bridge,
// the Kubeflow ingress identity as an allowed principal) must not leak into
// a bundle that is not Kubeflow: there it would name namespaces nobody
// creates and widen authorization to identities nothing has. Every function
// with such defaults takes the same `preset` field, resolved here the same
// way: given, it wins; absent, it is detected from the bundle, so that no
// functionConfig still does the right thing for upstream Kubeflow.
package preset

import (
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Preset selects a function's defaults.
type Preset string

const (
	// Auto (the field left out) detects the preset from the bundle.
	Auto Preset = ""
	// Kubeflow applies the Kubeflow defaults.
	Kubeflow Preset = "kubeflow"
	// Generic derives everything from the input and the config alone.
	Generic Preset = "generic"
)

// Validate rejects a value that is none of the presets.
func (p Preset) Validate() error {
	switch p {
	case Auto, Kubeflow, Generic:
		return nil
	}
	return fmt.Errorf("preset %q is not one of %q, %q (or left out to detect it from the bundle)", p, Kubeflow, Generic)
}

// Resolution is a resolved preset and why it was chosen, for the function's
// info result: a user whose bundle was taken for Kubeflow (or not) must be
// able to see which object decided it.
type Resolution struct {
	Preset Preset
	Reason string
}

// Resolve returns p when it is set, and the detected preset otherwise.
func Resolve(p Preset, items fn.KubeObjects) Resolution {
	if p != Auto {
		return Resolution{Preset: p, Reason: "set in the functionConfig"}
	}
	return Detect(items)
}

// kubeflowNamespace is where upstream Kubeflow installs its platform.
const kubeflowNamespace = "kubeflow"

// Detect reports Kubeflow when the bundle shows a sign of it: a kind or a
// CRD of a *.kubeflow.org (or kubeflow.org) API group, the kubeflow
// Namespace or an object in it, or a VirtualService bound to Kubeflow's
// ingress gateway (single-component renders such as dex or oauth2-proxy have
// only that). Local-config items and the Kptfile are not part of the bundle.
func Detect(items fn.KubeObjects) Resolution {
	for _, o := range items {
		if !kit.Editable(o) {
			continue
		}
		if why := kubeflowSign(o); why != "" {
			return Resolution{Preset: Kubeflow, Reason: "detected: " + why}
		}
	}
	return Resolution{Preset: Generic, Reason: "detected: nothing in the bundle is Kubeflow's"}
}

func kubeflowSign(o *fn.KubeObject) string {
	id := kit.Describe(o)
	group := kit.GroupOf(o.GetAPIVersion())
	switch {
	case isKubeflowGroup(group):
		return id + " is of API group " + group
	case kit.CustomResourceDefinitionKind.Is(o) && isKubeflowGroup(crdGroup(o)):
		return id + " defines a kind of API group " + crdGroup(o)
	case kit.NamespaceKind.Is(o) && o.GetName() == kubeflowNamespace:
		return id
	case o.GetNamespace() == kubeflowNamespace:
		return id + " is in namespace " + kubeflowNamespace
	case istio.VirtualServiceKind.Is(o) && boundToKubeflowGateway(o):
		return id + " is bound to the Istio Gateway kubeflow/kubeflow-gateway"
	}
	return ""
}

// crdGroup is the CRD's spec.group; a CRD whose group is not a string has
// none (verify and the API server report it).
func crdGroup(crd *fn.KubeObject) string {
	g, _, _ := crd.NestedString("spec", "group")
	return g
}

func isKubeflowGroup(g string) bool {
	return g == "kubeflow.org" || strings.HasSuffix(g, ".kubeflow.org")
}

// boundToKubeflowGateway reads spec.gateways the way Istio does: a bare name
// is relative to the VirtualService's namespace.
func boundToKubeflowGateway(vs *fn.KubeObject) bool {
	gateways, _, _ := vs.NestedStringSlice("spec", "gateways")
	for _, g := range gateways {
		if istio.GatewayRef(g, vs.GetNamespace()) == kubeflowNamespace+"/kubeflow-gateway" {
			return true
		}
	}
	return false
}
