package placement

import (
	"encoding/json"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ManagedBy is the ManagedByLabel value of every object this function
// renders: a re-run replaces exactly those, and an autoscaler or budget
// without it is someone else's.
const ManagedBy = "kfgitops-placement"

// RuleAnnotation names the rule an object was rendered for.
const RuleAnnotation = "placement.fn.kfgitops.dev/rule"

// The rendered objects, as structs so that their fields come out in the
// order kubectl shows them.

type crossVersionRef struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Name       string `yaml:"name"`
}

type hpaObject struct {
	kit.Header `yaml:",inline"`
	Spec       struct {
		ScaleTargetRef crossVersionRef `yaml:"scaleTargetRef"`
		MinReplicas    int32           `yaml:"minReplicas"`
		MaxReplicas    int32           `yaml:"maxReplicas"`
		Metrics        []metric        `yaml:"metrics"`
	} `yaml:"spec"`
}

type metric struct {
	Type     string `yaml:"type"`
	Resource struct {
		Name   string `yaml:"name"`
		Target struct {
			Type               string `yaml:"type"`
			AverageUtilization int32  `yaml:"averageUtilization"`
		} `yaml:"target"`
	} `yaml:"resource"`
}

type pdbObject struct {
	kit.Header `yaml:",inline"`
	Spec       struct {
		MaxUnavailable any `yaml:"maxUnavailable,omitempty"`
		MinAvailable   any `yaml:"minAvailable,omitempty"`
		Selector       any `yaml:"selector"`
	} `yaml:"spec"`
}

// meta is the metadata of a rendered object: the marker, the rule, and the
// file kpt writes it to.
func meta(kind, ns, name, rule string) kit.ObjectMeta {
	m := kit.GeneratedMeta(FunctionName, kind, ns, name, map[string]string{RuleAnnotation: rule})
	m.Labels = map[string]string{kit.ManagedByLabel: ManagedBy}
	return m
}

// newHPA scales the workload between the rule's bounds on the average
// utilization of its pods' requests.
func newHPA(w *fn.KubeObject, rule string, a *Autoscaling) (*fn.KubeObject, error) {
	var o hpaObject
	o.Header = kit.Header{APIVersion: "autoscaling/v2", Kind: kit.HorizontalPodAutoscalerKind.Kind,
		Metadata: meta(kit.HorizontalPodAutoscalerKind.Kind, w.GetNamespace(), w.GetName(), rule)}
	o.Spec.ScaleTargetRef = crossVersionRef{APIVersion: w.GetAPIVersion(), Kind: w.GetKind(), Name: w.GetName()}
	o.Spec.MinReplicas, o.Spec.MaxReplicas = a.MinReplicas, a.MaxReplicas
	for _, t := range a.targets() {
		var m metric
		m.Type = "Resource"
		m.Resource.Name = string(t.resource)
		m.Resource.Target.Type = "Utilization"
		m.Resource.Target.AverageUtilization = t.percent
		o.Spec.Metrics = append(o.Spec.Metrics, m)
	}
	return kit.NewObject(o)
}

type utilizationTarget struct {
	resource corev1.ResourceName
	percent  int32
}

// targets are the autoscaler's metrics, cpu first.
func (a *Autoscaling) targets() []utilizationTarget {
	var out []utilizationTarget
	if a.CPUUtilization != nil {
		out = append(out, utilizationTarget{corev1.ResourceCPU, *a.CPUUtilization})
	}
	if a.MemoryUtilization != nil {
		out = append(out, utilizationTarget{corev1.ResourceMemory, *a.MemoryUtilization})
	}
	return out
}

// newPDB bounds voluntary disruptions of the workload's pods, selected by
// the workload's own selector.
func newPDB(w *fn.KubeObject, rule string, b *DisruptionBudget, sel *metav1.LabelSelector) (*fn.KubeObject, error) {
	var o pdbObject
	o.Header = kit.Header{APIVersion: "policy/v1", Kind: kit.PodDisruptionBudgetKind.Kind,
		Metadata: meta(kit.PodDisruptionBudgetKind.Kind, w.GetNamespace(), w.GetName(), rule)}
	switch {
	case b.MinAvailable != nil:
		o.Spec.MinAvailable = intOrString(*b.MinAvailable)
	case b.MaxUnavailable != nil:
		o.Spec.MaxUnavailable = intOrString(*b.MaxUnavailable)
	default:
		o.Spec.MaxUnavailable = 1
	}
	// The selector as the API writes it (its JSON form, as a YAML mapping).
	j, err := json.Marshal(sel)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(j, &o.Spec.Selector); err != nil {
		return nil, err
	}
	return kit.NewObject(o)
}

func intOrString(v intstr.IntOrString) any {
	if v.Type == intstr.String {
		return v.StrVal
	}
	return v.IntVal
}
