package ambientmesh

import (
	"fmt"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kfgitops/kfgitops/kit/preset"
)

// Kind is the typed functionConfig kind.
const Kind = "AmbientMesh"

// Where the waypoint is bound: on the Services behind L7 policies, or on
// their whole namespace.
const (
	UseWaypointOnService   = "Service"
	UseWaypointOnNamespace = "Namespace"
)

// Config is the functionConfig. Defaults returns what upstream Kubeflow needs.
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// Namespaces are enrolled in ambient when the bundle has them, whatever
	// their labels (explicit opt-outs aside). The defaults are the namespaces
	// upstream Kubeflow labels istio-injection=enabled, which
	// strip-istio-sidecar has already de-labelled when it runs first.
	Namespaces []string `json:"namespaces"`
	// EnrolInjectedNamespaces enrols every Namespace labelled
	// istio-injection=enabled.
	EnrolInjectedNamespaces bool `json:"enrolInjectedNamespaces"`
	// EnrolPolicyNamespaces enrols every namespace whose workloads carry
	// selector-based Istio security policies, i.e. were in the mesh.
	EnrolPolicyNamespaces bool `json:"enrolPolicyNamespaces"`
	// ExcludeNamespaces are never enrolled by detection (only when listed in
	// Namespaces).
	ExcludeNamespaces []string `json:"excludeNamespaces"`
	// RootNamespace is Istio's root namespace: its policies apply mesh-wide
	// and are left alone.
	RootNamespace string `json:"rootNamespace"`
	// NamespaceLabelsConfigMaps are the profile controller's namespace-labels
	// files; they get istio.io/dataplane-mode: ambient and istio-injection: "".
	NamespaceLabelsConfigMaps []kit.ConfigMapRef `json:"namespaceLabelsConfigMaps"`
	// WaypointName is the name of the waypoint Gateway emitted per namespace.
	WaypointName string `json:"waypointName"`
	// UseWaypointOn is where istio.io/use-waypoint goes: "Service" (only the
	// Services behind L7 policies) or "Namespace".
	UseWaypointOn string `json:"useWaypointOn"`
	// IngressGateway is the kgateway Gateway whose proxy replaces Istio's
	// ingress gateway; its identity is admitted where Istio's was.
	IngressGateway ingress.Gateway `json:"ingressGateway"`
	// KeepIstioIngressPrincipal keeps Istio's ingress identity next to
	// kgateway's, for kgateway-route's runtimeRoutes.mode: bridge, where the
	// Istio ingress gateway stays as an internal bridge for run-time routes
	// and traffic arrives from both. false (the default, for mode
	// controller, where that gateway is gone) replaces it.
	KeepIstioIngressPrincipal bool `json:"keepIstioIngressPrincipal"`
	// RuntimeSync is the render-time side of the runtime-sync controller
	// (kgateway-route's runtimeRoutes.mode: controller).
	RuntimeSync RuntimeSync `json:"runtimeSync"`
	// ProfilesConfig is the profile controller's settings ConfigMap and the
	// key of its ingress principal.
	ProfilesConfig kit.ConfigMapRef `json:"profilesConfig"`
	// AdmitIngressGatewayInNetworkPolicies adds the kgateway proxy pods to
	// every NetworkPolicy rule that admits Istio's ingress gateway.
	AdmitIngressGatewayInNetworkPolicies bool `json:"admitIngressGatewayInNetworkPolicies"`
	// AllowHBONEInNetworkPolicies adds TCP 15008 to port-restricted ingress
	// rules of NetworkPolicies in ambient namespaces.
	AllowHBONEInNetworkPolicies bool `json:"allowHBONEInNetworkPolicies"`
	// AbsentNamespaces is what happens to a namespace that is to be
	// enrolled but has no Namespace object in the bundle: warn (the
	// default), labelledElsewhere or emit (absent.go).
	AbsentNamespaces string `json:"absentNamespaces"`
	// Preset selects the Kubeflow defaults (kubeflow), none (generic), or,
	// left out, detects them from the bundle (kit/preset). Under generic
	// the ingress identity is admitted only for a Gateway that is
	// configured or in the bundle.
	Preset preset.Preset `json:"preset,omitempty"`
	// SkipPolicies ("namespace/name") are AuthorizationPolicies and
	// RequestAuthentications left exactly as they are, with a warning.
	SkipPolicies []string `json:"skipPolicies,omitempty"`
}

// RuntimeSync says whether the runtime-sync controller migrates what
// Kubeflow's controllers create at run time, and with which waypoint.
type RuntimeSync struct {
	// Enabled: the controller runs. The profile namespaces' labels then bind
	// every profile namespace to Waypoint, and the run-time creators are
	// reported as handled instead of warned about.
	Enabled bool `json:"enabled"`
	// Waypoint is the profile namespaces' waypoint: {name} for one in each
	// namespace (the controller creates it), {name, namespace} for one
	// shared Gateway. Keep it equal to kgateway-route's
	// runtimeRoutes.waypoint.
	Waypoint ingress.Gateway `json:"waypoint"`
}

// ProfilesConfig is the profile controller's settings ConfigMap.
var defaultProfilesConfig = kit.ConfigMapRef{Namespace: "kubeflow", Name: "profiles-config", Key: "ISTIO_INGRESS_GATEWAY_PRINCIPAL"}

// Defaults is the configuration for upstream Kubeflow.
func Defaults() Config {
	return Config{
		Namespaces:                           []string{"kubeflow", "kubeflow-system", "knative-serving"},
		EnrolInjectedNamespaces:              true,
		EnrolPolicyNamespaces:                true,
		ExcludeNamespaces:                    []string{"istio-system", "kube-system"},
		RootNamespace:                        "istio-system",
		NamespaceLabelsConfigMaps:            []kit.ConfigMapRef{kubeflow.NamespaceLabels},
		WaypointName:                         "waypoint",
		UseWaypointOn:                        UseWaypointOnService,
		IngressGateway:                       kubeflow.IngressGateway,
		KeepIstioIngressPrincipal:            false,
		RuntimeSync:                          RuntimeSync{Enabled: true, Waypoint: ingress.Gateway{Name: "waypoint"}},
		ProfilesConfig:                       defaultProfilesConfig,
		AdmitIngressGatewayInNetworkPolicies: true,
		AllowHBONEInNetworkPolicies:          true,
		AbsentNamespaces:                     AbsentNamespacesWarn,
	}
}

// Validate checks names and enumerations.
func (c *Config) Validate() error {
	for _, ns := range append(append([]string{}, c.Namespaces...), c.ExcludeNamespaces...) {
		if err := kit.CheckDNSLabel("namespace", ns); err != nil {
			return err
		}
	}
	if err := kit.CheckDNSLabel("rootNamespace", c.RootNamespace); err != nil {
		return err
	}
	if err := kit.CheckDNSLabel("waypointName", c.WaypointName); err != nil {
		return err
	}
	if err := kit.CheckOneOf("useWaypointOn", c.UseWaypointOn, UseWaypointOnService, UseWaypointOnNamespace); err != nil {
		return err
	}
	if err := kit.CheckDNSLabel("ingressGateway.namespace", c.IngressGateway.Namespace); err != nil {
		return err
	}
	if err := kit.CheckDNSSubdomain("ingressGateway.name", c.IngressGateway.Name); err != nil {
		return err
	}
	if err := c.Preset.Validate(); err != nil {
		return err
	}
	if err := kit.CheckOneOf("absentNamespaces", c.AbsentNamespaces, AbsentNamespacesWarn, AbsentNamespacesLabelledElsewhere, AbsentNamespacesEmit); err != nil {
		return err
	}
	if err := c.RuntimeSync.validate(c.KeepIstioIngressPrincipal); err != nil {
		return err
	}
	for i, ref := range c.NamespaceLabelsConfigMaps {
		if err := ref.Validate(); err != nil {
			return fmt.Errorf("namespaceLabelsConfigMaps[%d]: %w", i, err)
		}
	}
	if c.ProfilesConfig.Name != "" && (c.ProfilesConfig.Namespace == "" || c.ProfilesConfig.Key == "") {
		return fmt.Errorf("profilesConfig: namespace and key are required with a name")
	}
	for _, p := range c.SkipPolicies {
		if ns, name, ok := strings.Cut(p, "/"); !ok || ns == "" || name == "" {
			return fmt.Errorf("skipPolicies %q: want namespace/name", p)
		}
	}
	return nil
}

func (r RuntimeSync) validate(keepIstioIngressPrincipal bool) error {
	if !r.Enabled {
		return nil
	}
	if keepIstioIngressPrincipal {
		return fmt.Errorf("keepIstioIngressPrincipal: true is for kgateway-route's runtimeRoutes.mode: bridge, runtimeSync.enabled for its mode controller, which removes the Istio ingress gateway: set one of them false")
	}
	if err := kit.CheckDNSLabel("runtimeSync.waypoint.name", r.Waypoint.Name); err != nil {
		return err
	}
	if r.Waypoint.Namespace == "" {
		return nil
	}
	return kit.CheckDNSLabel("runtimeSync.waypoint.namespace", r.Waypoint.Namespace)
}

// profileNamespaceLabels are what the profile namespaces' labels file gets:
// ambient instead of sidecars and, with the runtime-sync controller, the
// waypoint of every profile namespace, which kgateway sends ingress through.
func (c *Config) profileNamespaceLabels() map[string]string {
	labels := map[string]string{dataplaneModeLabel: dataplaneModeAmbient, injectionLabel: ""}
	if c.RuntimeSync.Enabled {
		labels[useWaypointLabel] = c.RuntimeSync.Waypoint.Name
		labels[ingressUseWaypoint] = "true"
		if c.RuntimeSync.Waypoint.Namespace != "" {
			labels[useWaypointNamespaceLabel] = c.RuntimeSync.Waypoint.Namespace
		}
	}
	return labels
}
