// Package stripsidecar removes Istio sidecar-injection configuration and
// sidecar-only objects from a bundle, touching nothing else, so that the
// bundle can run on Istio's ambient mesh.
package stripsidecar

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kfgitops/kfgitops/kit/kubeflow"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Kind is the typed functionConfig kind.
const Kind = "StripIstioSidecar"

// Config is the functionConfig. The zero value of every list means "none";
// Defaults returns what upstream Kubeflow needs.
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// OptOutLabel ("key=value") is added to pod templates that opt out of
	// injection with sidecar.istio.io/inject: "false", so they stay out of
	// the ambient mesh too. Empty: add nothing.
	OptOutLabel string `json:"optOutLabel"`
	// RemoveSidecars deletes networking.istio.io Sidecar objects.
	RemoveSidecars bool `json:"removeSidecars"`
	// RemoveSidecarEnvoyFilters deletes EnvoyFilters whose every patch
	// targets a sidecar context.
	RemoveSidecarEnvoyFilters bool `json:"removeSidecarEnvoyFilters"`
	// RemoveMutualTLSDestinationRules deletes DestinationRules whose only
	// effect is trafficPolicy.tls.mode ISTIO_MUTUAL.
	RemoveMutualTLSDestinationRules bool `json:"removeMutualTLSDestinationRules"`
	// KeepKeys are sidecar keys to leave in place.
	KeepKeys []string `json:"keepKeys,omitempty"`
	// PodTemplatePaths are extra places where custom resources embed pod
	// templates, on top of the built-in workloads and Kubeflow's CRs.
	PodTemplatePaths []kit.PodTemplatePath `json:"podTemplatePaths,omitempty"`
	// NamespaceLabelsConfigMaps are profile-controller style ConfigMaps whose
	// embedded YAML lists labels for user namespaces; each gets
	// istio-injection: "" so new user namespaces are not injected.
	NamespaceLabelsConfigMaps []kit.ConfigMapRef `json:"namespaceLabelsConfigMaps"`
}

// Defaults is the configuration for upstream Kubeflow.
func Defaults() Config {
	return Config{
		OptOutLabel:                     "istio.io/dataplane-mode=none",
		RemoveSidecars:                  true,
		RemoveSidecarEnvoyFilters:       true,
		RemoveMutualTLSDestinationRules: true,
		NamespaceLabelsConfigMaps:       []kit.ConfigMapRef{kubeflow.NamespaceLabels},
	}
}

// Validate checks the opt-out label and the ConfigMap refs.
func (c *Config) Validate() error {
	for i, ref := range c.NamespaceLabelsConfigMaps {
		if err := ref.Validate(); err != nil {
			return fmt.Errorf("namespaceLabelsConfigMaps[%d]: %w", i, err)
		}
	}
	if c.OptOutLabel == "" {
		return nil
	}
	k, v, ok := strings.Cut(c.OptOutLabel, "=")
	if !ok {
		return fmt.Errorf("optOutLabel %q: want key=value", c.OptOutLabel)
	}
	if errs := validation.IsQualifiedName(k); len(errs) > 0 {
		return fmt.Errorf("optOutLabel key %q: %s", k, strings.Join(errs, "; "))
	}
	if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
		return fmt.Errorf("optOutLabel value %q: %s", v, strings.Join(errs, "; "))
	}
	return nil
}

// Function is strip-istio-sidecar.
var Function = kit.Definition[Config]{
	FunctionName: "strip-istio-sidecar",
	Kind:         Kind,
	Defaults:     Defaults,
	Run:          Run,
	Removes:      []kit.GroupKind{istio.SidecarKind, istio.EnvoyFilterKind, istio.DestinationRuleKind},
}

// Run strips sidecar configuration from rl.
func Run(rl *fn.ResourceList, cfg *Config) error {
	s := &stripper{
		cfg:       cfg,
		results:   &rl.Results,
		templates: append(append(append([]kit.PodTemplatePath{}, kit.BuiltinPodTemplatePaths...), kubeflow.PodTemplatePaths...), cfg.PodTemplatePaths...),
		keep:      map[string]bool{},
		deleted:   map[string]int{},
	}
	for _, k := range cfg.KeepKeys {
		s.keep[k] = true
	}
	s.optOutKey, s.optOutValue, _ = strings.Cut(cfg.OptOutLabel, "=")
	drop := map[*fn.KubeObject]bool{}
	for _, o := range kit.EditableItems(rl.Items) {
		remove, err := s.object(o)
		if err != nil {
			return err
		}
		if remove {
			drop[o] = true
			s.deleted[o.GetKind()]++
		}
	}
	rl.Items = kit.RemoveItems(rl.Items, drop)
	outOfMesh := ""
	if s.unmeshed > 0 {
		outOfMesh = fmt.Sprintf(", %d namespaces in no mesh until ambient-mesh enrols them", s.unmeshed)
	}
	kit.Summary(&rl.Results, "strip-istio-sidecar: edited %d objects, deleted %d%s%s, %d warnings",
		s.edited, len(drop), countsByKind(s.deleted), outOfMesh, s.warnings)
	return nil
}

type stripper struct {
	cfg                    *Config
	results                *fn.Results
	templates              []kit.PodTemplatePath
	keep                   map[string]bool
	optOutKey, optOutValue string
	edited, warnings       int
	unmeshed               int // Namespaces whose injection label was removed
	deleted                map[string]int
}

// object handles one object and reports whether to delete it.
func (s *stripper) object(o *fn.KubeObject) (bool, error) {
	gk := kit.GroupKindOf(o)
	switch gk {
	case istio.SidecarKind:
		if s.cfg.RemoveSidecars {
			kit.Info(s.results, o, "", "deleted: Sidecar objects configure only sidecar proxies")
			return true, nil
		}
		return false, nil
	case istio.EnvoyFilterKind:
		return s.envoyFilter(o), nil
	case istio.DestinationRuleKind:
		return s.destinationRule(o), nil
	case istio.PeerAuthenticationKind:
		s.peerAuthentication(o)
		return false, nil
	case kit.NamespaceKind:
		if o.GetLabel("istio-injection") == "enabled" {
			if err := o.RemoveLabel("istio-injection"); err != nil {
				return false, kit.Errorf(o, "metadata.labels", "%v", err)
			}
			s.edited++
			s.unmeshed++
			kit.Info(s.results, o, "metadata.labels", "removed label istio-injection=enabled: the namespace is in no mesh (no sidecars, not ambient) until ambient-mesh enrols it")
		}
		return false, nil
	case kit.ConfigMapKind:
		for _, ref := range s.cfg.NamespaceLabelsConfigMaps {
			if !ref.Matches(o) {
				continue
			}
			changed, err := kit.SetEmbeddedYAMLFields(o, ref.Key, map[string]string{"istio-injection": ""})
			if err != nil {
				return false, err
			}
			if len(changed) > 0 {
				s.edited++
				kit.Info(s.results, o, "data."+ref.Key, `set istio-injection: "" so the profile controller stops labelling new user namespaces for injection`)
			}
		}
		return false, nil
	}
	return false, s.podTemplates(o, gk)
}

func (s *stripper) podTemplates(o *fn.KubeObject, gk kit.GroupKind) error {
	var changes []string
	err := kit.EditRNode(o, func(rn *yaml.RNode) error {
		for _, t := range kit.PodTemplates(rn, gk, s.templates) {
			c, err := s.stripTemplate(t)
			if err != nil {
				return err
			}
			changes = append(changes, c...)
		}
		return nil
	})
	if err != nil {
		return kit.Errorf(o, "", "%v", err)
	}
	if len(changes) > 0 {
		s.edited++
		kit.Info(s.results, o, "", "%s", strings.Join(changes, "; "))
	}
	return nil
}

// stripTemplate removes sidecar keys from one pod template's metadata and
// adds the opt-out label where injection was turned off.
func (s *stripper) stripTemplate(t kit.PodTemplate) ([]string, error) {
	meta := t.Template.Field("metadata")
	if meta == nil || meta.Value.YNode().Kind != yaml.MappingNode {
		return nil, nil
	}
	var changes []string
	optedOut := false
	for _, field := range []string{"labels", "annotations"} {
		m := meta.Value.Field(field)
		if m == nil || m.Value.YNode().Kind != yaml.MappingNode {
			continue
		}
		var remove []string
		err := m.Value.VisitFields(func(node *yaml.MapNode) error {
			key := node.Key.YNode().Value
			if !istio.IsSidecarKey(key) || s.keep[key] {
				return nil
			}
			if key == istio.SidecarInjectKey && node.Value.YNode().Value == "false" {
				optedOut = true
				return nil
			}
			remove = append(remove, key)
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, key := range remove {
			if _, err := m.Value.Pipe(yaml.Clear(key)); err != nil {
				return nil, err
			}
		}
		if len(remove) > 0 {
			changes = append(changes, fmt.Sprintf("%s: removed %s", t.FieldPath("metadata."+field), strings.Join(remove, ", ")))
		}
		if len(remove) > 0 && len(m.Value.YNode().Content) == 0 {
			if _, err := meta.Value.Pipe(yaml.Clear(field)); err != nil {
				return nil, err
			}
		}
	}
	if optedOut && s.optOutKey != "" {
		labels, err := meta.Value.Pipe(yaml.LookupCreate(yaml.MappingNode, "labels"))
		if err != nil {
			return nil, err
		}
		if labels.Field(s.optOutKey) == nil {
			if err := labels.PipeE(yaml.SetField(s.optOutKey, yaml.NewStringRNode(s.optOutValue))); err != nil {
				return nil, err
			}
			changes = append(changes, fmt.Sprintf("%s: added %s=%s beside %s: \"false\"%s", t.FieldPath("metadata.labels"), s.optOutKey, s.optOutValue, istio.SidecarInjectKey, s.optOutWhy()))
		}
	}
	return changes, nil
}

func (s *stripper) envoyFilter(o *fn.KubeObject) bool {
	patches, _, _ := o.NestedSlice("spec", "configPatches")
	sidecarOnly, someSidecar := len(patches) > 0, false
	for _, p := range patches {
		ctx, _, _ := p.NestedString("match", "context")
		if sidecarPatchContexts[ctx] {
			someSidecar = true
		} else {
			sidecarOnly = false
		}
	}
	switch {
	case sidecarOnly && s.cfg.RemoveSidecarEnvoyFilters:
		kit.Info(s.results, o, "spec.configPatches", "deleted: every patch targets a sidecar context (SIDECAR_INBOUND/SIDECAR_OUTBOUND), which ambient does not have")
		return true
	case someSidecar:
		s.warnings++
		kit.Warning(s.results, o, "spec.configPatches", "kept: some patches target sidecar contexts, which ambient does not have; EnvoyFilter is not supported on waypoints")
	}
	return false
}

func (s *stripper) peerAuthentication(o *fn.KubeObject) {
	mode, _, _ := o.NestedString("spec", "mtls", "mode")
	disabled := mode == "DISABLE"
	ports, _, _ := o.NestedSubObject("spec", "portLevelMtls")
	if !disabled && !ports.IsEmpty() {
		disabled = strings.Contains(ports.String(), "DISABLE")
	}
	if disabled {
		s.warnings++
		kit.Warning(s.results, o, "spec.mtls.mode", "mode DISABLE is ignored by ambient (ztunnel always uses mTLS); take the workload out of the mesh instead (label istio.io/dataplane-mode: none)")
	}
}

// fieldNames lists the keys of the mapping at fields.
func fieldNames(o *fn.KubeObject, fields ...string) []string {
	var names []string
	_ = kit.EditRNode(o, func(rn *yaml.RNode) error {
		m, err := rn.Pipe(yaml.Lookup(fields...))
		if err == nil && m != nil {
			names, _ = m.Fields()
		}
		return nil
	})
	return names
}

func countsByKind(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	kinds := make([]string, 0, len(m))
	for k := range m {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
