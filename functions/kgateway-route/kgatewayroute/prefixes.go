package kgatewayroute

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// prefixSource is where one upstream controller's tenant prefix comes from:
// a key of a ConfigMap the controller (or the web app that drives it) is
// configured with, or a prefix hard-coded in the controller.
type prefixSource struct {
	controller string
	// template is the prefix when the bundle does not configure it.
	template string
	// configMap holds the controller's configuration; unset: hard-coded.
	configMap kit.ConfigMapRef
	// read derives the template from configMap's data[key]; "" with no
	// error: the controller routes no prefix with this configuration.
	read func(doc string) (string, error)
	// field names the setting read, for results.
	field string
}

// tenantPrefixSources are the upstream controllers that create
// VirtualServices at run time, at the versions of the corpus (see
// docs/access.md): the notebook and tensorboard controllers hard-code their
// prefixes; PVC viewers take the Volumes web app's viewer-spec basePrefix;
// KServe takes its ingress pathTemplate.
var tenantPrefixSources = []prefixSource{
	{controller: "notebook-controller", template: "/notebook/{namespace}/"},
	{controller: "tensorboard-controller", template: "/tensorboard/{namespace}/"},
	{
		controller: "pvcviewer-controller (Volumes web app)", template: "/pvcviewers/{namespace}/",
		configMap: kit.ConfigMapRef{Namespace: "kubeflow", Name: "volumes-web-app-viewer-spec", Key: "viewer-spec.yaml"},
		read:      viewerSpecPrefix, field: "networking.basePrefix",
	},
	{
		controller: "KServe", template: "/serving/{namespace}/",
		configMap: kit.ConfigMapRef{Namespace: "kubeflow", Name: "inferenceservice-config", Key: "ingress"},
		read:      kservePrefix, field: "pathTemplate",
	},
}

// viewerSpecPrefix reads the Volumes web app's viewer spec: PVC viewers are
// served under <basePrefix>/<namespace>/<name>/.
func viewerSpecPrefix(doc string) (string, error) {
	var spec struct {
		Networking struct {
			BasePrefix string `json:"basePrefix"`
		} `json:"networking"`
	}
	if err := yaml.Unmarshal([]byte(doc), &spec); err != nil {
		return "", err
	}
	base := spec.Networking.BasePrefix
	if base == "" {
		return "", nil
	}
	if !strings.HasPrefix(base, "/") {
		return "", fmt.Errorf("basePrefix %q: want a path", base)
	}
	return strings.TrimSuffix(base, "/") + "/" + NamespacePlaceholder + "/", nil
}

var kserveNamespaceTemplate = regexp.MustCompile(`^(/[^{]*?)/?\{\{\s*\.Namespace\s*\}\}/`)

// kservePrefix reads KServe's ingress config: path-based routes are
// <pathTemplate> with {{ .Namespace }} and {{ .Name }} filled in.
func kservePrefix(doc string) (string, error) {
	var ingress struct {
		PathTemplate string `json:"pathTemplate"`
	}
	if err := json.Unmarshal([]byte(doc), &ingress); err != nil {
		return "", err
	}
	if ingress.PathTemplate == "" {
		return "", nil
	}
	m := kserveNamespaceTemplate.FindStringSubmatch(ingress.PathTemplate)
	if m == nil {
		return "", fmt.Errorf("pathTemplate %q: want a fixed prefix followed by the {{ .Namespace }} segment", ingress.PathTemplate)
	}
	return strings.TrimSuffix(m[1], "/") + "/" + NamespacePlaceholder + "/", nil
}

// resolvePrefixes fills in runtimeRoutes.prefixes from the bundle when the
// config leaves them unset, and reports where each came from.
func resolvePrefixes(items fn.KubeObjects, cfg *Config, results *fn.Results) error {
	rr := &cfg.RuntimeRoutes
	if len(rr.Prefixes) > 0 {
		kit.Info(results, nil, "runtimeRoutes.prefixes", "tenant prefixes as configured: %s", strings.Join(rr.Prefixes, ", "))
		return nil
	}
	var notes []string
	for _, src := range tenantPrefixSources {
		template, from, err := src.resolve(items)
		if err != nil {
			return err
		}
		if template != "" {
			rr.Prefixes = append(rr.Prefixes, template)
		}
		notes = append(notes, from)
	}
	kit.Info(results, nil, "runtimeRoutes.prefixes", "tenant prefixes from the bundle: %s", strings.Join(notes, "; "))
	return validatePrefixTemplates(rr.Prefixes)
}

// resolve returns the source's template and a note saying where it came from.
func (src prefixSource) resolve(items fn.KubeObjects) (string, string, error) {
	if src.read == nil {
		return src.template, fmt.Sprintf("%s (%s, fixed in the controller)", src.template, src.controller), nil
	}
	for _, o := range items {
		if !src.configMap.Matches(o) {
			continue
		}
		doc, _, err := o.NestedString("data", src.configMap.Key)
		if err != nil || doc == "" {
			return "", "", kit.Errorf(o, "data."+src.configMap.Key, "%s's configuration is missing or not a string", src.controller)
		}
		template, err := src.read(doc)
		if err != nil {
			return "", "", kit.Errorf(o, "data."+src.configMap.Key, "%s: %v; set runtimeRoutes.prefixes", src.field, err)
		}
		if template == "" {
			return "", fmt.Sprintf("none for %s (%s unset in ConfigMap %s/%s)", src.controller, src.field, o.GetNamespace(), o.GetName()), nil
		}
		return template, fmt.Sprintf("%s (%s, ConfigMap %s/%s data.%s %s)", template, src.controller, o.GetNamespace(), o.GetName(), src.configMap.Key, src.field), nil
	}
	return src.template, fmt.Sprintf("%s (%s default; ConfigMap %s/%s is not in the bundle)", src.template, src.controller, src.configMap.Namespace, src.configMap.Name), nil
}
