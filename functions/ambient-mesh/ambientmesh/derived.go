package ambientmesh

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// maxTargetRefs is the most targetRefs Istio's AuthorizationPolicy schema
// takes.
const maxTargetRefs = 16

// waypointCopy is the run-time form of a moved policy: a new object named
// after its source, with the re-targeted spec of the source's copy.
func waypointCopy(p *policy) (*fn.KubeObject, error) {
	o := fn.NewEmptyKubeObject()
	for _, err := range []error{
		o.SetAPIVersion(p.obj.GetAPIVersion()), o.SetKind(p.obj.GetKind()),
		o.SetName(derivedName(p.obj.GetName(), waypointCopySuffix)), o.SetNamespace(p.ns),
		o.SetMap(p.obj.GetMap("spec"), "spec"),
	} {
		if err != nil {
			return nil, kit.Errorf(p.obj, "", "deriving its copy at the waypoint: %v", err)
		}
	}
	return o, nil
}

// setRuntimeMeta replaces the render-time annotations of a derived object by
// the run-time controller's labels (source "" for the waypoint).
func setRuntimeMeta(o *fn.KubeObject, source string) error {
	if _, err := o.RemoveNestedField("metadata", "annotations"); err != nil {
		return kit.Errorf(o, "metadata.annotations", "%v", err)
	}
	labels := map[string]string{ManagedByLabel: ManagedByRuntimeSync}
	if source != "" {
		labels[SourcePolicyLabel] = labelValue(source)
		if err := o.SetAnnotation(SourcePolicyAnnotation, source); err != nil {
			return kit.Errorf(o, "metadata.annotations", "%v", err)
		}
	}
	for k, v := range labels {
		if err := o.SetLabel(k, v); err != nil {
			return kit.Errorf(o, "metadata.labels", "%v", err)
		}
	}
	return nil
}

// splitTargetRefs splits a policy with more targetRefs than Istio takes into
// policies with the same rules, each on a part of the targets: every target
// is in exactly one, so each is held to the same rules as before.
func splitTargetRefs(o *fn.KubeObject) ([]*fn.KubeObject, error) {
	var spec struct {
		TargetRefs []any `yaml:"targetRefs"`
	}
	if _, err := o.NestedResource(&spec, "spec"); err != nil {
		return nil, kit.Errorf(o, "spec.targetRefs", "%v", err)
	}
	refs := spec.TargetRefs
	if len(refs) <= maxTargetRefs {
		return []*fn.KubeObject{o}, nil
	}
	var out []*fn.KubeObject
	for i := 0; i < len(refs); i += maxTargetRefs {
		part := o.Copy()
		if i > 0 {
			if err := part.SetName(derivedName(o.GetName(), fmt.Sprintf("-%d", i/maxTargetRefs+1))); err != nil {
				return nil, kit.Errorf(o, "metadata.name", "%v", err)
			}
		}
		if err := part.SetNestedField(refs[i:min(i+maxTargetRefs, len(refs))], "spec", "targetRefs"); err != nil {
			return nil, kit.Errorf(o, "spec.targetRefs", "%v", err)
		}
		out = append(out, part)
	}
	return out, nil
}

// checkNames fails when two derived objects, or a derived object and a
// source, would share a name.
func checkNames(sources map[string]*fn.KubeObject, derived map[string][]*fn.KubeObject) error {
	seen := map[string]string{}
	for _, source := range slices.Sorted(maps.Keys(derived)) {
		for _, o := range derived[source] {
			name := o.GetName()
			if s := sources[name]; s != nil {
				return kit.Errorf(s, "metadata.name", "its name is the name of the policy derived from %s", source)
			}
			if other, dup := seen[name]; dup && other != source {
				return kit.Errorf(sources[source], "metadata.name", "derives %s, which %s derives too", name, other)
			}
			seen[name] = source
		}
	}
	return nil
}
