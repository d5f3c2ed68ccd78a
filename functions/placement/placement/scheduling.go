package placement

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kfgitops/kfgitops/kit"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// schedule adds the rule's nodeSelector, tolerations and affinity to the
// pod template. A value the template has already is kept when it is the
// rule's, replaced when the rule overrides, and an error otherwise: a
// workload pinned somewhere on purpose is never moved silently.
func schedule(tmpl kit.PodTemplate, r *Rule, fs *findings) error {
	if len(r.NodeSelector)+len(r.Tolerations) == 0 && r.Affinity == nil {
		return nil
	}
	spec, err := tmpl.Template.Pipe(yaml.LookupCreate(yaml.MappingNode, "spec"))
	if err != nil {
		return err
	}
	if err := setNodeSelector(spec, tmpl, r, fs); err != nil {
		return err
	}
	if err := addTolerations(spec, tmpl, r.Tolerations, fs); err != nil {
		return err
	}
	return setAffinity(spec, tmpl, r, fs)
}

func setNodeSelector(spec *yaml.RNode, tmpl kit.PodTemplate, r *Rule, fs *findings) error {
	if len(r.NodeSelector) == 0 {
		return nil
	}
	sel, err := spec.Pipe(yaml.LookupCreate(yaml.MappingNode, "nodeSelector"))
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(r.NodeSelector)) {
		want := r.NodeSelector[k]
		field := tmpl.FieldPath("spec.nodeSelector." + k)
		has := sel.Field(k)
		switch {
		case has == nil:
			fs.info(field, "nodeSelector %s=%s", k, want)
		case yaml.GetValue(has.Value) == want:
			continue
		case r.Override:
			fs.info(field, "nodeSelector %s=%s replaces %s (override)", k, want, yaml.GetValue(has.Value))
		default:
			fs.fail(field, "the workload selects nodes with %s=%s, the rule %s=%s: remove one, or set override on the rule", k, yaml.GetValue(has.Value), k, want)
			continue
		}
		if err := sel.PipeE(yaml.SetField(k, yaml.NewStringRNode(want))); err != nil {
			return err
		}
	}
	return nil
}

func addTolerations(spec *yaml.RNode, tmpl kit.PodTemplate, add []corev1.Toleration, fs *findings) error {
	if len(add) == 0 {
		return nil
	}
	list, err := spec.Pipe(yaml.LookupCreate(yaml.SequenceNode, "tolerations"))
	if err != nil {
		return err
	}
	var have []corev1.Toleration
	if err := decodeNode(list, &have); err != nil {
		return fmt.Errorf("%s: %w", tmpl.FieldPath("spec.tolerations"), err)
	}
	for _, t := range add {
		if slices.ContainsFunc(have, func(h corev1.Toleration) bool { return equality.Semantic.DeepEqual(h, t) }) {
			continue
		}
		b, err := yaml.Marshal(toleration{t.Key, string(t.Operator), t.Value, string(t.Effect), t.TolerationSeconds})
		if err != nil {
			return err
		}
		n, err := yaml.Parse(string(b))
		if err != nil {
			return err
		}
		if err := list.PipeE(yaml.Append(n.YNode())); err != nil {
			return err
		}
		have = append(have, t)
		fs.info(tmpl.FieldPath("spec.tolerations"), "toleration %s added", describeToleration(t))
	}
	return nil
}

// toleration is a corev1.Toleration with its fields in kubectl's order.
type toleration struct {
	Key               string `yaml:"key,omitempty"`
	Operator          string `yaml:"operator,omitempty"`
	Value             string `yaml:"value,omitempty"`
	Effect            string `yaml:"effect,omitempty"`
	TolerationSeconds *int64 `yaml:"tolerationSeconds,omitempty"`
}

func describeToleration(t corev1.Toleration) string {
	s := t.Key
	if t.Operator == corev1.TolerationOpExists {
		s += " (exists)"
	} else if t.Value != "" {
		s += "=" + t.Value
	}
	if t.Effect != "" {
		s += ":" + string(t.Effect)
	}
	return s
}

// setAffinity sets each part of the rule's affinity (nodeAffinity,
// podAffinity, podAntiAffinity) as a whole: merging two node affinities
// term by term would change what either meant.
func setAffinity(spec *yaml.RNode, tmpl kit.PodTemplate, r *Rule, fs *findings) error {
	if r.Affinity == nil {
		return nil
	}
	aff, err := spec.Pipe(yaml.LookupCreate(yaml.MappingNode, "affinity"))
	if err != nil {
		return err
	}
	var have corev1.Affinity
	if err := decodeNode(aff, &have); err != nil {
		return fmt.Errorf("%s: %w", tmpl.FieldPath("spec.affinity"), err)
	}
	for _, p := range affinityParts(r.Affinity, &have) {
		if !p.given {
			continue
		}
		field := tmpl.FieldPath("spec.affinity." + p.name)
		switch {
		case !p.present:
			fs.info(field, "%s set", p.name)
		case equality.Semantic.DeepEqual(p.want, p.have):
			continue
		case r.Override:
			fs.info(field, "%s replaced (override)", p.name)
		default:
			fs.fail(field, "the workload has a different %s: remove one, or set override on the rule", p.name)
			continue
		}
		n, err := encodeNode(p.want)
		if err != nil {
			return err
		}
		if err := aff.PipeE(yaml.SetField(p.name, n)); err != nil {
			return err
		}
	}
	return nil
}

type affinityPart struct {
	name           string
	want, have     any
	given, present bool
}

func affinityParts(want, have *corev1.Affinity) []affinityPart {
	return []affinityPart{
		{"nodeAffinity", want.NodeAffinity, have.NodeAffinity, want.NodeAffinity != nil, have.NodeAffinity != nil},
		{"podAffinity", want.PodAffinity, have.PodAffinity, want.PodAffinity != nil, have.PodAffinity != nil},
		{"podAntiAffinity", want.PodAntiAffinity, have.PodAntiAffinity, want.PodAntiAffinity != nil, have.PodAntiAffinity != nil},
	}
}
