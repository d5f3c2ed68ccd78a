package placement

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kfgitops/kfgitops/kit"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// setResources gives each container of the pod template the requests and
// limits the rule names for it (by name, else the rule's preset). A value
// the container has is replaced, with a result saying what it was: a lower
// request is a warning (the scheduler packs the pod tighter than its
// author asked), a lower limit an error unless allowLowerLimits (it kills
// a pod that ran fine). It returns the names of the containers it found.
func setResources(tmpl kit.PodTemplate, r *ResourceRule, presets map[string]Resources, fs *findings) ([]string, error) {
	elements, err := containersOf(tmpl)
	if err != nil {
		return nil, err
	}
	var names []string
	for i, c := range elements {
		name := containerName(c)
		names = append(names, name)
		want, ok := r.forContainer(name, presets)
		if !ok || (r.UnsetOnly && setsResources(c)) {
			continue
		}
		field := tmpl.FieldPath(fmt.Sprintf("spec.containers[%d].resources", i))
		res, err := c.Pipe(yaml.LookupCreate(yaml.MappingNode, "resources"))
		if err != nil {
			return nil, err
		}
		if err := setQuantities(res, "requests", want.Requests, r.AllowLowerLimits, field, name, fs); err != nil {
			return nil, err
		}
		if err := setQuantities(res, "limits", want.Limits, r.AllowLowerLimits, field, name, fs); err != nil {
			return nil, err
		}
		checkWithinLimits(res, field, name, fs)
	}
	return names, nil
}

func (r *ResourceRule) forContainer(name string, presets map[string]Resources) (Resources, bool) {
	if c, ok := r.Containers[name]; ok {
		return c.resolve(presets), true
	}
	if r.Preset == "" {
		return Resources{}, false
	}
	return ContainerResources{Preset: r.Preset}.resolve(presets), true
}

// setQuantities sets resources.<kind> (requests or limits) to want, key by
// key.
func setQuantities(res *yaml.RNode, kind string, want corev1.ResourceList, allowLower bool, field, container string, fs *findings) error {
	if len(want) == 0 {
		return nil
	}
	list, err := res.Pipe(yaml.LookupCreate(yaml.MappingNode, kind))
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		q := want[name]
		f := field + "." + kind + "." + string(name)
		old, err := quantityAt(list, string(name))
		if err != nil {
			fs.fail(f, "container %s: %v", container, err)
			continue
		}
		switch {
		case old == nil:
			fs.info(f, "container %s: %s.%s %s", container, kind, name, q.String())
		case old.Cmp(q) == 0:
			continue
		case old.Cmp(q) < 0:
			fs.info(f, "container %s: %s.%s %s raised to %s", container, kind, name, old.String(), q.String())
		case kind == "requests":
			fs.warn(f, "container %s: requests.%s %s lowered to %s: the scheduler reserves less than the workload asked for", container, name, old.String(), q.String())
		case allowLower:
			fs.warn(f, "container %s: limits.%s %s lowered to %s (allowLowerLimits)", container, name, old.String(), q.String())
		default:
			fs.fail(f, "container %s: limits.%s %s would be lowered to %s, which can kill or throttle a pod that ran fine; raise the preset, or set allowLowerLimits", container, name, old.String(), q.String())
			continue
		}
		if err := list.PipeE(yaml.SetField(string(name), yaml.NewStringRNode(q.String()))); err != nil {
			return err
		}
	}
	return nil
}

// quantityAt is the quantity under key, nil when absent.
func quantityAt(list *yaml.RNode, key string) (*resource.Quantity, error) {
	n := list.Field(key)
	if n == nil {
		return nil, nil
	}
	q, err := resource.ParseQuantity(yaml.GetValue(n.Value))
	if err != nil {
		return nil, fmt.Errorf("%s %q: not a quantity", key, yaml.GetValue(n.Value))
	}
	return &q, nil
}

// checkWithinLimits reports a request above its limit once the rule's
// values are in: the API server rejects such a pod template.
func checkWithinLimits(res *yaml.RNode, field, container string, fs *findings) {
	requests, limits := res.Field("requests"), res.Field("limits")
	if requests == nil || limits == nil {
		return
	}
	for _, name := range []string{string(corev1.ResourceCPU), string(corev1.ResourceMemory)} {
		req, err1 := quantityAt(requests.Value, name)
		lim, err2 := quantityAt(limits.Value, name)
		if err1 == nil && err2 == nil && req != nil && lim != nil && req.Cmp(*lim) > 0 {
			fs.fail(field+".requests."+name, "container %s: requests.%s %s is above limits.%s %s; set both in the rule", container, name, req.String(), name, lim.String())
		}
	}
}

// missingRequests names the containers of the template that request none
// of the resource.
func missingRequests(tmpl kit.PodTemplate, name corev1.ResourceName) ([]string, error) {
	elements, err := containersOf(tmpl)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, c := range elements {
		req, err := c.Pipe(yaml.Lookup("resources", "requests", string(name)))
		if err != nil {
			return nil, err
		}
		if req == nil {
			missing = append(missing, containerName(c))
		}
	}
	return missing, nil
}

func containerName(c *yaml.RNode) string {
	if n := c.Field("name"); n != nil {
		return yaml.GetValue(n.Value)
	}
	return ""
}

// setsResources reports whether the container sets any request or limit.
func setsResources(c *yaml.RNode) bool {
	for _, kind := range []string{"requests", "limits"} {
		if n, err := c.Pipe(yaml.Lookup("resources", kind)); err == nil && n != nil && len(n.Content()) > 0 {
			return true
		}
	}
	return false
}

// containersOf is the pod template's containers, none when it has no list.
func containersOf(tmpl kit.PodTemplate) ([]*yaml.RNode, error) {
	containers, err := tmpl.Template.Pipe(yaml.Lookup("spec", "containers"))
	if err != nil || containers == nil {
		return nil, err
	}
	return containers.Elements()
}
