package placement

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/preset"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Kind is the typed functionConfig kind.
const Kind = "Placement"

// Config is the functionConfig. The zero value has no rules and changes
// nothing: placement is a day-2 choice of the platform team.
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// Preset kubeflow (given, or detected from the bundle) knows how
	// Kubeflow's own components scale (scalingTable); generic knows
	// nothing, and every rule asking for several replicas says how the
	// workloads it matches scale (Rule.Scaling).
	Preset preset.Preset `json:"preset,omitempty"`
	// ResourcePresets are named requests and limits on top of the built-in
	// ones (small, medium, large); a name given here replaces the built-in
	// preset of that name.
	ResourcePresets map[string]Resources `json:"resourcePresets,omitempty"`
	// Rules are applied in order; a workload may be matched by several, and
	// a later rule meets what an earlier one set as a value the workload
	// has.
	Rules []Rule `json:"rules,omitempty"`
}

// Rule selects workloads and says what they get.
type Rule struct {
	// Name names the rule in results and in the marker annotation of the
	// objects it renders (a DNS label).
	Name string `json:"name"`
	// Match selects workloads (Deployment, StatefulSet, DaemonSet,
	// ReplicaSet, Job, CronJob) with argocd-apps' and set-sync-wave's
	// selector; a workload matching any entry is selected. Kind left out
	// means every workload kind.
	Match []kit.Selector `json:"match"`

	// NodeSelector keys are added to the pod template's nodeSelector.
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// Tolerations are added to the pod template's unless it has an equal
	// one already (tolerations only ever widen where a pod may go).
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
	// Affinity sets nodeAffinity, podAffinity and podAntiAffinity, each as
	// a whole.
	Affinity *corev1.Affinity `json:"affinity,omitempty"`
	// Override lets the rule's nodeSelector values and affinity parts
	// replace different ones the workload has (each replacement is an info
	// result saying what was there); without it such a difference is an
	// error.
	Override bool `json:"override,omitempty"`

	// Resources sets requests and limits.
	Resources *ResourceRule `json:"resources,omitempty"`

	// Replicas sets spec.replicas (Deployment, StatefulSet, ReplicaSet).
	Replicas *int32 `json:"replicas,omitempty"`
	// Autoscaling renders a HorizontalPodAutoscaler (Deployment,
	// StatefulSet); the workload's spec.replicas is removed, as the
	// autoscaler owns it from then on.
	Autoscaling *Autoscaling `json:"autoscaling,omitempty"`
	// DisruptionBudget renders a PodDisruptionBudget for workloads that run
	// more than one replica (spec.replicas, or the autoscaler's
	// minReplicas).
	DisruptionBudget *DisruptionBudget `json:"disruptionBudget,omitempty"`
	// Scaling says how the matched workloads that the preset's table does
	// not know behave with several replicas: "stateless" (any number, and
	// autoscaling) or "leaderElected" (several replicas, one active, so no
	// autoscaling). Left out, a workload the table does not know gets
	// neither replicas above one nor an autoscaler.
	Scaling Scaling `json:"scaling,omitempty"`
}

// ResourceRule sets requests and limits of the pod template's containers.
type ResourceRule struct {
	// Preset names the requests and limits every container gets that
	// Containers does not name.
	Preset string `json:"preset,omitempty"`
	// Containers set requests and limits by container name, each from a
	// preset or explicitly.
	Containers map[string]ContainerResources `json:"containers,omitempty"`
	// UnsetOnly leaves every container alone that sets any request or
	// limit: for giving the containers upstream ships without resources a
	// floor, without touching what the component's authors chose.
	UnsetOnly bool `json:"unsetOnly,omitempty"`
	// AllowLowerLimits makes a limit below the one the container has a
	// warning instead of an error (a lower memory limit kills a pod that
	// ran fine).
	AllowLowerLimits bool `json:"allowLowerLimits,omitempty"`
}

// ContainerResources are one container's requests and limits: a preset,
// explicit values, or a preset with some values replaced.
type ContainerResources struct {
	Preset string `json:"preset,omitempty"`
	Resources
}

// Resources are requests and limits, as in a container's resources.
type Resources struct {
	Requests corev1.ResourceList `json:"requests,omitempty"`
	Limits   corev1.ResourceList `json:"limits,omitempty"`
}

// Autoscaling is a HorizontalPodAutoscaler's range and targets: average
// utilization of the pods' requests, in percent.
type Autoscaling struct {
	MinReplicas       int32  `json:"minReplicas"`
	MaxReplicas       int32  `json:"maxReplicas"`
	CPUUtilization    *int32 `json:"cpuUtilization,omitempty"`
	MemoryUtilization *int32 `json:"memoryUtilization,omitempty"`
}

// DisruptionBudget is a PodDisruptionBudget's one bound; left empty, at
// most one pod is unavailable.
type DisruptionBudget struct {
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
	MinAvailable   *intstr.IntOrString `json:"minAvailable,omitempty"`
}

// Defaults is no rule: the output is the input.
func Defaults() Config { return Config{} }

// Validate checks every rule on its own; what depends on the bundle (what
// a rule matches, the workloads' own values) is checked by Run.
func (c *Config) Validate() error {
	if err := c.Preset.Validate(); err != nil {
		return err
	}
	for name, r := range c.ResourcePresets {
		if err := r.validate(); err != nil {
			return fmt.Errorf("resourcePresets.%s: %w", name, err)
		}
	}
	presets := c.presets()
	names := map[string]bool{}
	for i := range c.Rules {
		r := &c.Rules[i]
		field := fmt.Sprintf("rules[%d]", i)
		if err := kit.CheckDNSLabel(field+".name", r.Name); err != nil {
			return err
		}
		if names[r.Name] {
			return fmt.Errorf("%s.name %q: duplicate rule", field, r.Name)
		}
		names[r.Name] = true
		if err := r.validate(presets); err != nil {
			return fmt.Errorf("%s (%s): %w", field, r.Name, err)
		}
	}
	return nil
}

// presets is the built-in presets with the config's on top.
func (c *Config) presets() map[string]Resources {
	out := maps.Clone(builtinPresets)
	maps.Copy(out, c.ResourcePresets)
	return out
}

func (r *Rule) validate(presets map[string]Resources) error {
	if len(r.Match) == 0 {
		return fmt.Errorf("match: at least one selector is needed")
	}
	for j, m := range r.Match {
		if err := m.Validate(); err != nil {
			return fmt.Errorf("match[%d]: %w", j, err)
		}
	}
	if !r.sets() {
		return fmt.Errorf("sets nothing: give nodeSelector, tolerations, affinity, resources, replicas, autoscaling or disruptionBudget")
	}
	if a := r.Affinity; a != nil && a.NodeAffinity == nil && a.PodAffinity == nil && a.PodAntiAffinity == nil {
		return fmt.Errorf("affinity: set nodeAffinity, podAffinity or podAntiAffinity")
	}
	if r.Resources != nil {
		if err := r.Resources.validate(presets); err != nil {
			return fmt.Errorf("resources.%w", err)
		}
	}
	if r.Replicas != nil && *r.Replicas < 0 {
		return fmt.Errorf("replicas %d: want 0 or more", *r.Replicas)
	}
	if r.Replicas != nil && r.Autoscaling != nil {
		return fmt.Errorf("replicas and autoscaling: set one; the autoscaler owns the replica count")
	}
	if r.Autoscaling != nil {
		if err := r.Autoscaling.validate(); err != nil {
			return fmt.Errorf("autoscaling.%w", err)
		}
	}
	if r.DisruptionBudget != nil {
		if err := r.DisruptionBudget.validate(); err != nil {
			return fmt.Errorf("disruptionBudget: %w", err)
		}
	}
	return r.Scaling.validate()
}

func (r *Rule) sets() bool {
	return len(r.NodeSelector) > 0 || len(r.Tolerations) > 0 || r.Affinity != nil || r.Resources != nil ||
		r.Replicas != nil || r.Autoscaling != nil || r.DisruptionBudget != nil
}

func (r *ResourceRule) validate(presets map[string]Resources) error {
	if r.Preset == "" && len(r.Containers) == 0 {
		return fmt.Errorf("preset or containers: one is needed")
	}
	if err := knownPreset(r.Preset, presets); err != nil {
		return fmt.Errorf("preset: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(r.Containers)) {
		c := r.Containers[name]
		if err := knownPreset(c.Preset, presets); err != nil {
			return fmt.Errorf("containers.%s.preset: %w", name, err)
		}
		if c.Preset == "" && len(c.Requests)+len(c.Limits) == 0 {
			return fmt.Errorf("containers.%s: give a preset, requests or limits", name)
		}
		if err := c.resolve(presets).validate(); err != nil {
			return fmt.Errorf("containers.%s: %w", name, err)
		}
	}
	return nil
}

func knownPreset(name string, presets map[string]Resources) error {
	if _, ok := presets[name]; name != "" && !ok {
		return fmt.Errorf("%q is not one of %v", name, slices.Sorted(maps.Keys(presets)))
	}
	return nil
}

// validate checks that only cpu and memory are set (what presets and the
// autoscaler's metrics are about) and that no request exceeds its limit.
func (r Resources) validate() error {
	for _, list := range []corev1.ResourceList{r.Requests, r.Limits} {
		for name, q := range list {
			if name != corev1.ResourceCPU && name != corev1.ResourceMemory {
				return fmt.Errorf("%s: only cpu and memory are set by this function", name)
			}
			if q.Sign() <= 0 {
				return fmt.Errorf("%s %s: want a positive quantity", name, q.String())
			}
		}
	}
	for name, req := range r.Requests {
		if lim, ok := r.Limits[name]; ok && req.Cmp(lim) > 0 {
			return fmt.Errorf("requests.%s %s is above limits.%s %s", name, req.String(), name, lim.String())
		}
	}
	return nil
}

func (a *Autoscaling) validate() error {
	if a.MinReplicas < 1 {
		return fmt.Errorf("minReplicas %d: want at least 1", a.MinReplicas)
	}
	if a.MaxReplicas < a.MinReplicas {
		return fmt.Errorf("maxReplicas %d: below minReplicas %d", a.MaxReplicas, a.MinReplicas)
	}
	if a.CPUUtilization == nil && a.MemoryUtilization == nil {
		return fmt.Errorf("cpuUtilization or memoryUtilization: at least one target is needed")
	}
	for _, t := range []struct {
		field string
		v     *int32
	}{{"cpuUtilization", a.CPUUtilization}, {"memoryUtilization", a.MemoryUtilization}} {
		if t.v != nil && *t.v < 1 {
			return fmt.Errorf("%s %d: want a percentage of the requests above 0", t.field, *t.v)
		}
	}
	return nil
}

func (d *DisruptionBudget) validate() error {
	if d.MaxUnavailable != nil && d.MinAvailable != nil {
		return fmt.Errorf("set maxUnavailable or minAvailable, not both (the API server rejects both)")
	}
	for _, b := range []struct {
		field string
		v     *intstr.IntOrString
	}{{"maxUnavailable", d.MaxUnavailable}, {"minAvailable", d.MinAvailable}} {
		if b.v == nil {
			continue
		}
		if _, err := intstr.GetScaledValueFromIntOrPercent(b.v, 100, true); err != nil || (b.v.Type == intstr.Int && b.v.IntVal < 0) {
			return fmt.Errorf("%s %s: want a count of 0 or more or a percentage", b.field, b.v.String())
		}
	}
	return nil
}
