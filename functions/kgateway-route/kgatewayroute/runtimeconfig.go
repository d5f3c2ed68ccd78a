package kgatewayroute

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Runtime route modes.
const (
	// RuntimeController emits the runtime-sync controller, which converts the
	// VirtualServices Kubeflow's controllers create at run time with this
	// function's converter; the Istio ingress gateway goes.
	RuntimeController = "controller"
	// RuntimeBridge keeps the Istio ingress gateway as an internal hop that
	// kgateway forwards the tenant prefixes to.
	RuntimeBridge = "bridge"
	// RuntimeNone does neither: runtime-created routes are unreachable.
	RuntimeNone = "none"
)

// NamespacePlaceholder stands for the tenant's namespace in a prefix template.
const NamespacePlaceholder = "{namespace}"

// RuntimeRoutes configures how the routes of the VirtualServices that
// Kubeflow's controllers create at run time (notebooks, tensorboards, PVC
// viewers, KServe) reach kgateway.
type RuntimeRoutes struct {
	// Mode is "controller", "bridge" or "none".
	Mode string `json:"mode"`
	// Prefixes are the tenant path prefixes, templates with {namespace}
	// ("/notebook/{namespace}/"): a namespace may route only paths under its
	// own. Unset: read from the bundle where the controllers have config
	// (see tenantPrefixSources). The bridge forwards the part before
	// {namespace}.
	Prefixes []string `json:"prefixes,omitempty"`
	// ProfileNamespaceLabel ("key=value") is the label of profile namespaces.
	ProfileNamespaceLabel string `json:"profileNamespaceLabel"`
	// Waypoint is the waypoint of profile namespaces: without a namespace
	// each has its own of that name, with one it is shared.
	Waypoint Waypoint `json:"waypoint"`
	// Controller overrides the runtime-sync Deployment's defaults.
	Controller ControllerSettings `json:"controller"`
	// Service is the Istio ingress gateway Service the bridge forwards to.
	Service ServiceRef `json:"service"`
}

// Waypoint names the waypoint Gateway of profile namespaces.
type Waypoint struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// ControllerSettings are overrides of the runtime-sync Deployment; unset
// fields take the defaults (the image released with this function).
type ControllerSettings struct {
	Image     string     `json:"image,omitempty"`
	Replicas  int32      `json:"replicas"`
	Resources *Resources `json:"resources,omitempty"`
}

// Resources are container resource requests and limits (quantities by
// resource name); given, they replace the defaults whole.
type Resources struct {
	Requests map[string]string `json:"requests,omitempty"`
	Limits   map[string]string `json:"limits,omitempty"`
}

// ServiceRef names a Service port.
type ServiceRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Port      int32  `json:"port"`
}

// defaultRuntimeRoutes is the configuration for upstream Kubeflow.
func defaultRuntimeRoutes() RuntimeRoutes {
	return RuntimeRoutes{
		Mode:                  RuntimeController,
		ProfileNamespaceLabel: "app.kubernetes.io/part-of=kubeflow-profile",
		Waypoint:              Waypoint{Name: "waypoint"},
		Controller:            ControllerSettings{Replicas: 1},
		Service:               ServiceRef{Namespace: "istio-system", Name: "istio-ingressgateway", Port: 80},
	}
}

// defaultUnset gives the fields left empty their defaults (but the mode,
// which is the preset's), so that a
// runtimeRoutes given in part means the same whether the decoder merges it
// into the defaults or replaces them with it.
func (r *RuntimeRoutes) defaultUnset() {
	d := defaultRuntimeRoutes()
	if r.ProfileNamespaceLabel == "" {
		r.ProfileNamespaceLabel = d.ProfileNamespaceLabel
	}
	if r.Waypoint == (Waypoint{}) {
		r.Waypoint = d.Waypoint
	}
	if r.Controller.Replicas == 0 {
		r.Controller.Replicas = d.Controller.Replicas
	}
	if r.Service == (ServiceRef{}) {
		r.Service = d.Service
	}
}

// validate checks every field, whatever the mode uses.
func (r *RuntimeRoutes) validate() error {
	r.defaultUnset()
	switch r.Mode {
	case RuntimeController, RuntimeBridge, RuntimeNone, "": // "": the preset's
	default:
		return fmt.Errorf("runtimeRoutes.mode %q: want controller, bridge or none", r.Mode)
	}
	if err := validatePrefixTemplates(r.Prefixes); err != nil {
		return err
	}
	if _, _, err := r.profileLabel(); err != nil {
		return err
	}
	if err := kit.CheckDNSLabel("runtimeRoutes.waypoint.name", r.Waypoint.Name); err != nil {
		return err
	}
	if r.Waypoint.Namespace != "" {
		if err := kit.CheckDNSLabel("runtimeRoutes.waypoint.namespace", r.Waypoint.Namespace); err != nil {
			return err
		}
	}
	if err := r.Controller.validate(); err != nil {
		return err
	}
	s := r.Service
	if s.Namespace == "" || s.Name == "" || s.Port < 1 || s.Port > 65535 {
		return fmt.Errorf("runtimeRoutes.service: want namespace, name and port")
	}
	return nil
}

// profileLabel splits ProfileNamespaceLabel into key and value.
func (r *RuntimeRoutes) profileLabel() (string, string, error) {
	k, v, ok := strings.Cut(r.ProfileNamespaceLabel, "=")
	if !ok || k == "" {
		return "", "", fmt.Errorf("runtimeRoutes.profileNamespaceLabel %q: want key=value", r.ProfileNamespaceLabel)
	}
	if errs := validation.IsQualifiedName(k); len(errs) > 0 {
		return "", "", fmt.Errorf("runtimeRoutes.profileNamespaceLabel %q: key: %s", r.ProfileNamespaceLabel, strings.Join(errs, "; "))
	}
	if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
		return "", "", fmt.Errorf("runtimeRoutes.profileNamespaceLabel %q: value: %s", r.ProfileNamespaceLabel, strings.Join(errs, "; "))
	}
	return k, v, nil
}

// resourceNames are the container resources a controller sets.
var resourceNames = []string{"cpu", "memory", "ephemeral-storage"}

func (s *ControllerSettings) validate() error {
	if s.Image != "" && (strings.ContainsAny(s.Image, " \t\n") || strings.HasPrefix(s.Image, "-")) {
		return fmt.Errorf("runtimeRoutes.controller.image %q: not an image reference", s.Image)
	}
	if s.Replicas < 1 {
		return fmt.Errorf("runtimeRoutes.controller.replicas %d: want at least 1 (the replicas elect a leader)", s.Replicas)
	}
	if s.Resources == nil {
		return nil
	}
	for field, m := range map[string]map[string]string{"requests": s.Resources.Requests, "limits": s.Resources.Limits} {
		for name, q := range m {
			if !slices.Contains(resourceNames, name) {
				return fmt.Errorf("runtimeRoutes.controller.resources.%s.%s: want one of %s", field, name, strings.Join(resourceNames, ", "))
			}
			if _, err := resource.ParseQuantity(q); err != nil {
				return fmt.Errorf("runtimeRoutes.controller.resources.%s.%s %q: %v", field, name, q, err)
			}
		}
	}
	return nil
}

// validatePrefixTemplates checks that every template is a path starting and
// ending with "/", holding {namespace} once as a whole segment after at least
// one fixed segment, and that no template's fixed part lies inside another's
// namespace segment: with "/a/{namespace}/" and "/a/b/{namespace}/",
// namespace "b" would own every other namespace's "/a/b/<ns>/" paths.
func validatePrefixTemplates(templates []string) error {
	fixed := make([]string, len(templates))
	for i, t := range templates {
		field := fmt.Sprintf("runtimeRoutes.prefixes[%d]", i)
		before, after, ok := strings.Cut(t, "/"+NamespacePlaceholder+"/")
		switch {
		case !strings.HasPrefix(t, "/") || !strings.HasSuffix(t, "/"):
			return fmt.Errorf("%s %q: must start and end with /", field, t)
		case !ok:
			return fmt.Errorf("%s %q: must hold %s as a whole path segment", field, t, NamespacePlaceholder)
		case before == "":
			return fmt.Errorf("%s %q: needs a fixed segment before %s (a namespace must not own a top-level path such as /dex/)", field, t, NamespacePlaceholder)
		case strings.Contains(after, NamespacePlaceholder) || strings.Count(t, "{") != 1 || strings.Count(t, "}") != 1:
			return fmt.Errorf("%s %q: must hold %s exactly once and no other placeholder", field, t, NamespacePlaceholder)
		case !validPrefixPath(strings.Replace(t, NamespacePlaceholder, "ns", 1)):
			return fmt.Errorf("%s %q: not a valid path prefix", field, t)
		case slices.Contains(templates[:i], t):
			return fmt.Errorf("%s %q: listed twice", field, t)
		}
		fixed[i] = before + "/"
	}
	for i, a := range fixed {
		for j, b := range fixed {
			if a != b && strings.HasPrefix(b, a) {
				return fmt.Errorf("runtimeRoutes.prefixes[%d] %q: its fixed part %s is inside the namespace segment of runtimeRoutes.prefixes[%d] %q, so one namespace would own another's paths",
					j, templates[j], b, i, templates[i])
			}
		}
	}
	return nil
}

// fixedPrefix is the part of a template before {namespace} ("/notebook/").
func fixedPrefix(template string) string {
	before, _, _ := strings.Cut(template, NamespacePlaceholder)
	return before
}
