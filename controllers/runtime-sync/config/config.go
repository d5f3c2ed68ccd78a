// Package config loads runtime-sync's configuration: the kgateway-route
// functionConfig (kind KgatewayRoute) that the pipeline resolved for the
// bundle, mounted from ConfigMap runtime-sync. It is decoded with
// kgateway-route's own strict decoder (kgatewayroute.DecodeConfig), so the
// controller and the render-time function read one configuration the same
// way, and an unknown field stops the controller at start instead of being
// ignored.
package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
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
	Waypoint ingress.Gateway
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

// Parse decodes a KgatewayRoute functionConfig document. It refuses any
// other kind (a ConfigMap form included: the file is what kgateway-route
// writes), a mode other than controller (in bridge mode the Istio ingress
// gateway routes the tenant prefixes, and routes written here would compete
// with the bridge's), and a configuration without tenant prefixes, with
// which every route would be refused.
func Parse(data []byte) (*Settings, error) {
	head, err := fn.ParseKubeObject(data)
	if err != nil {
		return nil, fmt.Errorf("not a Kubernetes object: %w", err)
	}
	if head.GetAPIVersion() != kit.ConfigAPIVersion || head.GetKind() != kgatewayroute.Kind {
		return nil, fmt.Errorf("%s %s: want apiVersion %s, kind %s", head.GetAPIVersion(), head.GetKind(), kit.ConfigAPIVersion, kgatewayroute.Kind)
	}
	cfg, err := kgatewayroute.DecodeConfig(data)
	if err != nil {
		return nil, err
	}
	rr := cfg.RuntimeRoutes
	if rr.Mode != kgatewayroute.RuntimeController {
		return nil, fmt.Errorf("runtimeRoutes.mode %q: runtime-sync runs only with mode %s", rr.Mode, kgatewayroute.RuntimeController)
	}
	if len(rr.Prefixes) == 0 {
		return nil, fmt.Errorf("runtimeRoutes.prefixes: empty; list the tenant prefixes (kgateway-route resolves them for the bundle)")
	}
	key, value, _ := strings.Cut(rr.ProfileNamespaceLabel, "=")
	return &Settings{
		Route:        cfg,
		Prefixes:     rr.Prefixes,
		ProfileLabel: Label{Key: key, Value: value},
		Waypoint:     ingress.Gateway{Namespace: rr.Waypoint.Namespace, Name: rr.Waypoint.Name},
	}, nil
}

// TenantPrefixes expands the templates for one namespace.
func TenantPrefixes(templates []string, namespace string) []string {
	out := make([]string, len(templates))
	for i, t := range templates {
		out[i] = strings.Replace(t, kgatewayroute.NamespacePlaceholder, namespace, 1)
	}
	return out
}
