package kgatewayroute

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"maps"
	"strings"
	"text/template"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// The runtime-sync controller image; RuntimeSyncVersion is the version in
// controllers/runtime-sync/metadata.yaml (a test keeps them equal), so that
// each kgateway-route release deploys the controller released with it.
const (
	RuntimeSyncImage   = "ghcr.io/kfgitops/runtime-sync"
	RuntimeSyncVersion = "0.1.0"
	// RuntimeSyncName names the controller's objects.
	RuntimeSyncName = "runtime-sync"
	// RuntimeSyncConfigKey is the ConfigMap key of its config file.
	RuntimeSyncConfigKey = "config.yaml"
)

// The runtime-sync objects (ServiceAccount, RBAC, ConfigMap, metrics
// Service, Deployment) are data: a template over runtimeSyncParams. The
// controller writes only objects it labels
// app.kubernetes.io/managed-by=kfgitops-runtime-sync (enforced in its code:
// RBAC cannot filter by label); its RBAC has no wildcard and no Secrets.
//
//go:embed runtimesync.yaml
var runtimeSyncTemplate string

var runtimeSyncObjects = template.Must(template.New("runtimesync.yaml").
	Funcs(template.FuncMap{"yaml": indentedYAML, "indent": indent}).
	Parse(runtimeSyncTemplate))

// indentedYAML renders v as block YAML indented by n spaces, without the
// final newline.
func indentedYAML(v any, n int) (string, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	return indent(string(b), n), nil
}

// indent indents every line of s by n spaces and drops the final newline.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return pad + strings.Join(lines, "\n"+pad)
}

// runtimeSyncParams are the template's inputs.
type runtimeSyncParams struct {
	Name, Namespace, Image, Config, ConfigHash string
	Replicas                                   int32
	Labels, Selector                           map[string]string
	Resources                                  *Resources
}

// defaultControllerResources are the Deployment's resources unless
// runtimeRoutes.controller.resources replaces them: the informers hold every
// VirtualService, Service, Namespace and AuthorizationPolicy of the cluster.
var defaultControllerResources = Resources{
	Requests: map[string]string{"cpu": "100m", "memory": "128Mi"},
	Limits:   map[string]string{"memory": "512Mi"},
}

// runtimeSyncSelector selects the controller's pods.
var runtimeSyncSelector = map[string]string{"app.kubernetes.io/name": RuntimeSyncName}

// DecodeConfig decodes a KgatewayRoute functionConfig (or its ConfigMap
// form) onto the defaults with the function's own strict decoder, and
// validates it: runtime-sync reads the config file kgateway-route writes
// for it with this.
func DecodeConfig(b []byte) (Config, error) {
	fc, err := fn.ParseKubeObject(b)
	if err != nil {
		return Config{}, fmt.Errorf("functionConfig: %w", err)
	}
	cfg := Defaults()
	if err := kit.DecodeConfig(fc, Kind, &cfg); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// EncodeConfig renders cfg as a KgatewayRoute functionConfig named name,
// which DecodeConfig reads back as cfg.
func EncodeConfig(cfg Config, name string) (string, error) {
	body, err := yaml.Marshal(cfg)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n%s", kit.ConfigAPIVersion, Kind, name, body), nil
}

// runtimeSyncConfig is the config runtime-sync runs with: this run's,
// with every default the controller needs filled in.
func (c *converter) runtimeSyncConfig() Config {
	cfg := *c.cfg
	ctl := &cfg.RuntimeRoutes.Controller
	if ctl.Image == "" {
		ctl.Image = RuntimeSyncImage + ":v" + RuntimeSyncVersion
	}
	if ctl.Resources == nil {
		r := defaultControllerResources
		ctl.Resources = &r
	}
	return cfg
}

// runtimeSync emits the runtime-sync controller in the Gateway's namespace.
func (c *converter) runtimeSync() ([]*fn.KubeObject, error) {
	cfg := c.runtimeSyncConfig()
	ctl := cfg.RuntimeRoutes.Controller
	config, err := EncodeConfig(cfg, RuntimeSyncName)
	if err != nil {
		return nil, fmt.Errorf("runtime-sync config: %w", err)
	}
	sum := sha256.Sum256([]byte(config))
	// Not labelled managed-by kgateway-route like the ingress objects, which
	// set-sync-wave puts in the infrastructure wave: the controller comes
	// in the apps wave, after Istio and the kgateway Gateway.
	labels := maps.Clone(runtimeSyncSelector)
	labels["app.kubernetes.io/component"] = "controller"
	labels["app.kubernetes.io/part-of"] = "kfgitops"
	var buf bytes.Buffer
	err = runtimeSyncObjects.Execute(&buf, runtimeSyncParams{
		Name: RuntimeSyncName, Namespace: cfg.Gateway.Namespace, Image: ctl.Image, Config: config, ConfigHash: hex.EncodeToString(sum[:8]),
		Replicas: ctl.Replicas, Labels: labels, Selector: runtimeSyncSelector, Resources: ctl.Resources,
	})
	if err != nil {
		return nil, fmt.Errorf("runtime-sync objects: %w", err)
	}
	objs, err := fn.ParseKubeObjects(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("runtime-sync objects: %w", err)
	}
	for _, o := range objs {
		path := objectPath(o.GetKind(), o.GetNamespace(), o.GetName())
		for _, a := range []string{"config.kubernetes.io/path", "internal.config.kubernetes.io/path"} {
			if err := o.SetAnnotation(a, path); err != nil {
				return nil, kit.Errorf(o, "metadata.annotations", "%v", err)
			}
		}
		if kit.DeploymentKind.Is(o) {
			c.info(o, "", "runtime-sync (%s, %d replicas) converts the VirtualServices controllers create at run time into HTTPRoutes on Gateway %s/%s; tenant prefixes %s",
				ctl.Image, ctl.Replicas, cfg.Gateway.Namespace, cfg.Gateway.Name, strings.Join(cfg.RuntimeRoutes.Prefixes, ", "))
		}
	}
	return objs, nil
}
