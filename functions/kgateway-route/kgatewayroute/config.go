package kgatewayroute

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kfgitops/kfgitops/kit/preset"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Kind is the typed functionConfig kind.
const Kind = "KgatewayRoute"

// Config is the functionConfig. Defaults returns what upstream Kubeflow
// needs; the function itself starts from unsetDefaults, whose preset fields
// the preset fills in (resolvePreset).
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// Preset is kubeflow, generic or unset (detected from the bundle): it
	// decides the fields the config leaves out that have a Kubeflow default
	// (istioGateway, gateway, stripRequestHeaders, runtimeRoutes.mode,
	// namespaceLabelsConfigMaps).
	Preset preset.Preset `json:"preset,omitempty"`
	// IstioGateway is the Istio Gateway ("namespace/name") whose
	// VirtualServices are converted.
	IstioGateway string `json:"istioGateway"`
	// Gateway is the kgateway Gateway the HTTPRoutes attach to.
	Gateway ingress.Gateway `json:"gateway"`
	// CreateGateway emits the Gateway (and its GatewayParameters and
	// Certificate); false references an existing Gateway of that name.
	CreateGateway bool `json:"createGateway"`
	// GatewayClassName of the emitted Gateway.
	GatewayClassName string `json:"gatewayClassName"`
	// Hostnames the Gateway listens for; ["*"] means any host (no hostname).
	Hostnames []string `json:"hostnames"`
	// HTTPPort is the port of the HTTP listener.
	HTTPPort int32 `json:"httpPort"`
	// HTTPS adds an HTTPS listener and a cert-manager Certificate. Unset: none.
	HTTPS *HTTPSConfig `json:"https,omitempty"`
	// ExternalDNSHostname, when set, is written as the external-dns hostname
	// annotation on the Gateway so that DNS follows its address.
	ExternalDNSHostname string `json:"externalDNSHostname,omitempty"`
	// ClusterDomain is the suffix of Service FQDNs in destination hosts.
	ClusterDomain string `json:"clusterDomain"`
	// DefaultTimeout is written as timeouts.request on rules whose
	// VirtualService route sets none: Istio routes have no timeout, kgateway
	// defaults to 15s. "0s" disables the timeout.
	DefaultTimeout string `json:"defaultTimeout"`
	// Auth translates the Istio ingress authentication (ext-authz provider,
	// CUSTOM AuthorizationPolicy, RequestAuthentication) into kgateway policy.
	Auth bool `json:"auth"`
	// MeshConfig is the Istio mesh config holding the ext-authz providers.
	MeshConfig kit.ConfigMapRef `json:"meshConfig"`
	// StripRequestHeaders are removed from every client request at the
	// listener, before authentication: the identity headers the JWT provider
	// sets, so clients cannot impersonate users.
	StripRequestHeaders []string `json:"stripRequestHeaders"`
	// Websockets enables websocket upgrades on the Gateway (Jupyter needs them).
	Websockets bool `json:"websockets"`
	// AmbientBypass sets ambient.istio.io/bypass-inbound-capture on the
	// gateway pods: "auto" when the Gateway namespace is labelled
	// istio.io/dataplane-mode=ambient in the bundle, "always", or "never".
	AmbientBypass string `json:"ambientBypass"`
	// RuntimeRoutes says how the routes of VirtualServices that controllers
	// create at run time reach kgateway: the runtime-sync controller (the
	// default), a bridge to the Istio ingress gateway, or not at all.
	RuntimeRoutes RuntimeRoutes `json:"runtimeRoutes"`
	// NamespaceLabelsConfigMaps are the profile controller's namespace-labels
	// files; in controller mode they get the Gateway's route-admission label,
	// so that every profile namespace may attach routes.
	NamespaceLabelsConfigMaps []kit.ConfigMapRef `json:"namespaceLabelsConfigMaps"`
	// RemoveConverted deletes converted VirtualServices.
	RemoveConverted bool `json:"removeConverted"`
	// Subsets map VirtualService destination subsets to the Services that
	// select exactly the subset's pods.
	Subsets []SubsetService `json:"subsets,omitempty"`
	// LossySubsets routes a destination subset that is neither mapped nor
	// derivable to the whole Service (a warning). Unset, such a
	// VirtualService is kept and the run fails.
	LossySubsets bool `json:"lossySubsets,omitempty"`
	// RemoveIstioIngress deletes the Istio ingress objects kgateway replaces
	// (the Istio Gateway, once no VirtualService is bound to it, and the
	// translated authentication policies). In bridge mode they are kept,
	// since the bridge still needs them, and reported.
	RemoveIstioIngress bool `json:"removeIstioIngress"`
}

// HTTPSConfig is the optional HTTPS listener.
type HTTPSConfig struct {
	Port int32 `json:"port"`
	// SecretName is the TLS Secret in the Gateway namespace.
	SecretName string `json:"secretName"`
	// IssuerRef is the cert-manager issuer of the Certificate; unset: no
	// Certificate is emitted and the Secret must exist.
	IssuerRef *IssuerRef `json:"issuerRef,omitempty"`
}

// SubsetService is the Service for destinations to subset Subset of the
// Service Host (its FQDN, name.namespace.svc.<clusterDomain>): Service, in Host's
// namespace, must select exactly the subset's pods.
type SubsetService struct {
	Host    string `json:"host"`
	Subset  string `json:"subset"`
	Service string `json:"service"`
}

// IssuerRef names a cert-manager Issuer or ClusterIssuer.
type IssuerRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Defaults is the configuration for upstream Kubeflow.
func Defaults() Config {
	return Config{
		IstioGateway:              "kubeflow/kubeflow-gateway",
		Gateway:                   kubeflow.IngressGateway,
		CreateGateway:             true,
		GatewayClassName:          "kgateway",
		Hostnames:                 []string{"*"},
		HTTPPort:                  80,
		ClusterDomain:             "cluster.local",
		DefaultTimeout:            "0s",
		Auth:                      true,
		MeshConfig:                kit.ConfigMapRef{Namespace: "istio-system", Name: "istio", Key: "mesh"},
		StripRequestHeaders:       []string{"kubeflow-userid", "kubeflow-groups"},
		Websockets:                true,
		AmbientBypass:             "auto",
		RuntimeRoutes:             defaultRuntimeRoutes(),
		NamespaceLabelsConfigMaps: []kit.ConfigMapRef{kubeflow.NamespaceLabels},
		RemoveConverted:           true,
		RemoveIstioIngress:        true,
	}
}

// Validate checks every field that has a format.
// Fields left out (the preset's and the listeners', see unsetDefaults)
// are accepted here; NewRouteConverter requires them resolved.
func (c *Config) Validate() error {
	if err := c.Preset.Validate(); err != nil {
		return err
	}
	if ns, name, ok := strings.Cut(c.IstioGateway, "/"); c.IstioGateway != "" && (!ok || ns == "" || name == "") {
		return fmt.Errorf("istioGateway %q: want namespace/name", c.IstioGateway)
	}
	if err := kit.CheckDNSLabel("gateway.namespace", c.Gateway.Namespace); c.Gateway.Namespace != "" && err != nil {
		return err
	}
	if err := kit.CheckDNSSubdomain("gateway.name", c.Gateway.Name); c.Gateway.Name != "" && err != nil {
		return err
	}
	if c.CreateGateway && c.GatewayClassName == "" {
		return fmt.Errorf("gatewayClassName: must be set when createGateway is true")
	}
	if c.Hostnames != nil && len(c.Hostnames) == 0 {
		return fmt.Errorf(`hostnames: must list at least one hostname ("*" for any)`)
	}
	for _, h := range c.Hostnames {
		if h != "*" && !hostnamePattern.MatchString(h) {
			return fmt.Errorf("hostnames: %q is not a valid Gateway API hostname", h)
		}
	}
	if len(c.Hostnames) > 1 && slices.Contains(c.Hostnames, "*") {
		return fmt.Errorf(`hostnames: "*" cannot be combined with other hostnames`)
	}
	if c.HTTPPort != 0 && (c.HTTPPort < 1 || c.HTTPPort > 65535) {
		return fmt.Errorf("httpPort %d: want 1-65535", c.HTTPPort)
	}
	if c.HTTPS != nil {
		if c.HTTPS.Port < 1 || c.HTTPS.Port > 65535 || c.HTTPS.Port == c.HTTPPort {
			return fmt.Errorf("https.port %d: want 1-65535, different from httpPort", c.HTTPS.Port)
		}
		if err := kit.CheckDNSSubdomain("https.secretName", c.HTTPS.SecretName); err != nil {
			return err
		}
		if r := c.HTTPS.IssuerRef; r != nil && (r.Kind != "Issuer" && r.Kind != "ClusterIssuer" || r.Name == "") {
			return fmt.Errorf("https.issuerRef: want kind Issuer or ClusterIssuer and a name")
		}
		if slices.Contains(c.Hostnames, "*") && c.HTTPS.IssuerRef != nil {
			return fmt.Errorf(`https.issuerRef: a Certificate needs hostnames; "*" has none`)
		}
	}
	if _, err := gepDuration(c.DefaultTimeout); err != nil {
		return fmt.Errorf("defaultTimeout: %w", err)
	}
	switch c.AmbientBypass {
	case "auto", "always", "never":
	default:
		return fmt.Errorf("ambientBypass %q: want auto, always or never", c.AmbientBypass)
	}
	if err := c.RuntimeRoutes.validate(); err != nil {
		return err
	}
	if err := validateSubsets(c.Subsets, c.ClusterDomain); err != nil {
		return err
	}
	if c.Gateway.Namespace != "" && c.Gateway.Name != "" {
		if err := c.validateRoutesLabel(); err != nil {
			return err
		}
	}
	for i, ref := range c.NamespaceLabelsConfigMaps {
		if ref.Namespace == "" || ref.Name == "" || ref.Key == "" {
			return fmt.Errorf("namespaceLabelsConfigMaps[%d]: namespace, name and key are required", i)
		}
	}
	for _, h := range c.StripRequestHeaders {
		if !headerNamePattern.MatchString(h) {
			return fmt.Errorf("stripRequestHeaders: %q is not a header name", h)
		}
	}
	return nil
}

// validateResolved checks the fields Validate accepts left out: a
// converter needs every one of them.
func (c *Config) validateResolved() error {
	switch {
	case c.IstioGateway == "":
		return fmt.Errorf("istioGateway: must be set")
	case c.Gateway.Namespace == "" || c.Gateway.Name == "":
		return fmt.Errorf("gateway: namespace and name must be set")
	case len(c.Hostnames) == 0:
		return fmt.Errorf(`hostnames: must list at least one hostname ("*" for any)`)
	case c.HTTPPort == 0:
		return fmt.Errorf("httpPort: must be set")
	case c.RuntimeRoutes.Mode == "":
		return fmt.Errorf("runtimeRoutes.mode: must be set")
	}
	return c.validateRoutesLabel()
}

func (c *Config) validateRoutesLabel() error {
	if errs := validation.IsQualifiedName(c.Gateway.RoutesLabel()); len(errs) > 0 {
		return fmt.Errorf("gateway: the route-admission label %s: %s", c.Gateway.RoutesLabel(), strings.Join(errs, "; "))
	}
	return nil
}

// validateSubsets checks each subset mapping and that no subset is mapped
// twice.
func validateSubsets(subsets []SubsetService, domain string) error {
	seen := map[subsetKey]bool{}
	for i, s := range subsets {
		name, ns, ok := serviceHost(s.Host, "", domain)
		if !ok || ns == "" {
			return fmt.Errorf("subsets[%d].host %q: want a Service FQDN, name.namespace.svc.%s (or name.namespace.svc)", i, s.Host, domain)
		}
		if s.Subset == "" {
			return fmt.Errorf("subsets[%d].subset: must be set", i)
		}
		if err := kit.CheckDNSLabel(fmt.Sprintf("subsets[%d].service", i), s.Service); err != nil {
			return err
		}
		k := subsetKey{namespace: ns, service: name, subset: s.Subset}
		if seen[k] {
			return fmt.Errorf("subsets[%d]: subset %s of %s/%s is mapped twice", i, s.Subset, ns, name)
		}
		seen[k] = true
	}
	return nil
}

// gepDuration converts a Go/Istio duration ("300s", "1.5s", "1m30s") to a
// Gateway API duration (GEP-2257: up to four h/m/s/ms components).
func gepDuration(s string) (string, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return "", err
	}
	if d < 0 {
		return "", fmt.Errorf("negative duration %q", s)
	}
	if d%time.Millisecond != 0 {
		return "", fmt.Errorf("%q has sub-millisecond precision, which Gateway API durations cannot express", s)
	}
	if d == 0 {
		return "0s", nil
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}} {
		if n := d / u.unit; n > 0 {
			if n > 99999 {
				return "", fmt.Errorf("%q is too long for a Gateway API duration", s)
			}
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	return b.String(), nil
}
