// Package config loads runtime-sync's configuration: the kgateway-route
// functionConfig (kind KgatewayRoute) that the pipeline resolved for the
// bundle, mounted from ConfigMap runtime-sync. It is decoded with
// kgateway-route's own strict decoder, so the controller and the render-time
// function read one configuration the same way, and an unknown field stops
// the controller at start instead of being ignored.
package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Settings is what the controller runs with.
type Settings struct {
	// Route is the kgateway-route configuration, as the pipeline resolved it.
	Route kgatewayroute.Config
	// Prefixes are the tenant path prefixes, templates with {namespace}.
	Prefixes []string
	// ProfileLabel selects profile namespaces.
	ProfileLabel Label
	// Waypoint is the waypoint Gateway of profile namespaces: Namespace ""
	// means each namespace has its own.
	Waypoint kit.IngressGateway
}

// Label is one key=value label requirement.
type Label struct{ Key, Value string }

func (l Label) String() string { return l.Key + "=" + l.Value }

// Load reads and decodes the configuration file.
func Load(path string) (*Settings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return s, nil
}

// Parse decodes a KgatewayRoute functionConfig document.
func Parse(data []byte) (*Settings, error) {
	obj, err := fn.ParseKubeObject(data)
	if err != nil {
		return nil, fmt.Errorf("not a Kubernetes object: %w", err)
	}
	if obj.GetAPIVersion() != kit.ConfigAPIVersion || obj.GetKind() != kgatewayroute.Kind {
		return nil, fmt.Errorf("%s %s: want apiVersion %s, kind %s", obj.GetAPIVersion(), obj.GetKind(), kit.ConfigAPIVersion, kgatewayroute.Kind)
	}
	cfg := kgatewayroute.Defaults()
	if err := kit.DecodeConfig(obj, kgatewayroute.Kind, &cfg); err != nil {
		return nil, err
	}
	s := fromRouteConfig(cfg)
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// fromRouteConfig takes the controller's settings from the kgateway-route
// configuration.
func fromRouteConfig(cfg kgatewayroute.Config) *Settings {
	return &Settings{
		Route:        cfg,
		Prefixes:     DefaultPrefixes,
		ProfileLabel: DefaultProfileLabel,
		Waypoint:     kit.IngressGateway{Name: "waypoint"},
	}
}

// DefaultPrefixes are the prefixes the upstream controllers route under:
// notebook-controller, tensorboard-controller, the Volumes web app's
// viewer-spec basePrefix (/pvcviewers) and KServe's pathTemplate.
var DefaultPrefixes = []string{"/notebook/{namespace}/", "/tensorboard/{namespace}/", "/pvcviewers/{namespace}/", "/serving/{namespace}/"}

// DefaultProfileLabel is the label the profile controller puts on profile
// namespaces (from its namespace-labels file).
var DefaultProfileLabel = Label{Key: "app.kubernetes.io/part-of", Value: "kubeflow-profile"}

func (s *Settings) validate() error {
	if len(s.Prefixes) == 0 {
		return fmt.Errorf("runtimeRoutes.prefixes: at least one tenant prefix is needed")
	}
	for _, p := range s.Prefixes {
		if err := ValidatePrefixTemplate(p); err != nil {
			return fmt.Errorf("runtimeRoutes.prefixes: %w", err)
		}
	}
	if err := disjointTemplates(s.Prefixes); err != nil {
		return fmt.Errorf("runtimeRoutes.prefixes: %w", err)
	}
	if s.ProfileLabel.Key == "" {
		return fmt.Errorf("profileNamespaceLabel: want key=value")
	}
	if s.Waypoint.Name == "" {
		return fmt.Errorf("waypoint.name: must be set")
	}
	return nil
}

// NamespacePlaceholder is replaced by the tenant's namespace in prefixes.
const NamespacePlaceholder = "{namespace}"

// ValidatePrefixTemplate checks that a template gives each namespace a
// subtree of its own that no other namespace's can reach: it starts with a
// fixed segment (so that no namespace named like a platform path, "dex" or
// "oauth2", owns that path), holds {namespace} once as a whole segment, and
// ends in "/".
func ValidatePrefixTemplate(t string) error {
	segs := strings.Split(t, "/")
	if !strings.HasPrefix(t, "/") || !strings.HasSuffix(t, "/") || len(segs) < 4 {
		return fmt.Errorf("%q: want /<fixed>/.../{namespace}/...", t)
	}
	at := -1
	for i, s := range segs[1 : len(segs)-1] {
		switch {
		case s == NamespacePlaceholder:
			if at >= 0 {
				return fmt.Errorf("%q: %s more than once", t, NamespacePlaceholder)
			}
			at = i
		case s == "" || s == "." || s == ".." || strings.ContainsAny(s, "{}%\\?#*"):
			return fmt.Errorf("%q: segment %q is not a plain path segment", t, s)
		}
	}
	switch {
	case at < 0:
		return fmt.Errorf("%q: %s must be a whole path segment", t, NamespacePlaceholder)
	case at == 0:
		return fmt.Errorf("%q: %s must follow a fixed segment (a namespace could otherwise own a platform path)", t, NamespacePlaceholder)
	}
	return nil
}

// disjointTemplates refuses templates where one namespace's prefix holds
// other namespaces' prefixes: with "/a/{namespace}/" and "/a/b/{namespace}/",
// namespace b would own every "/a/b/<ns>/".
func disjointTemplates(templates []string) error {
	for _, a := range templates {
		fa, _, _ := strings.Cut(a, NamespacePlaceholder)
		for _, b := range templates {
			fb, _, _ := strings.Cut(b, NamespacePlaceholder)
			if fa != fb && strings.HasPrefix(fb, fa) {
				return fmt.Errorf("%q and %q: a namespace named after the segment after %q would own the other template's prefixes", a, b, fa)
			}
		}
	}
	return nil
}

// TenantPrefixes expands the templates for one namespace.
func TenantPrefixes(templates []string, namespace string) []string {
	out := make([]string, len(templates))
	for i, t := range templates {
		out[i] = strings.Replace(t, NamespacePlaceholder, namespace, 1)
	}
	return out
}
