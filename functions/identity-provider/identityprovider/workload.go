package identityprovider

import (
	"fmt"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// envVar is one container variable to set: a literal value, or a key of a
// Secret.
type envVar struct {
	name   string
	value  string
	secret *SecretKeyRef
}

func (e envVar) node() (*yaml.RNode, error) {
	m := map[string]any{"name": e.name}
	if e.secret != nil {
		m["valueFrom"] = map[string]any{"secretKeyRef": map[string]any{"name": e.secret.Name, "key": e.secret.Key}}
	} else {
		m["value"] = e.value
	}
	return yaml.FromMap(m)
}

// containerPath is the path of a Deployment's container by name.
func containerPath(container string) []string {
	return []string{"spec", "template", "spec", "containers", "[name=" + container + "]"}
}

// setEnv sets variables of a Deployment's container, replacing an entry of
// the same name in place, appending otherwise.
func setEnv(o *fn.KubeObject, container string, vars ...envVar) error {
	field := fmt.Sprintf("spec.template.spec.containers[name=%s].env", container)
	return kit.EditRNode(o, func(rn *yaml.RNode) error {
		c, err := rn.Pipe(yaml.Lookup(containerPath(container)...))
		if err != nil || c == nil {
			return fmt.Errorf("%s: no container %q", field, container)
		}
		env, err := c.Pipe(yaml.LookupCreate(yaml.SequenceNode, "env"))
		if err != nil {
			return fmt.Errorf("%s: %v", field, err)
		}
		for _, v := range vars {
			n, err := v.node()
			if err != nil {
				return err
			}
			if _, err := env.Pipe(yaml.ElementSetter{Keys: []string{"name"}, Values: []string{v.name}, Element: n.YNode()}); err != nil {
				return fmt.Errorf("%s[name=%s]: %v", field, v.name, err)
			}
		}
		return nil
	})
}

// envValue is a container variable's literal value, and whether it is set.
func envValue(o *fn.KubeObject, container, name string) (string, bool) {
	var value string
	var found bool
	rn := o.MoveToResourceNode()
	defer func() { *o = *fn.MoveToKubeObject(rn) }()
	n, err := rn.Pipe(yaml.Lookup(append(containerPath(container), "env", "[name="+name+"]", "value")...))
	if err == nil && n != nil {
		value, found = n.YNode().Value, true
	}
	return value, found
}

// removeEnvFromSecret drops the container's envFrom entry of a Secret.
func removeEnvFromSecret(o *fn.KubeObject, container, secret string) error {
	return kit.EditRNode(o, func(rn *yaml.RNode) error {
		c, err := rn.Pipe(yaml.Lookup(containerPath(container)...))
		if err != nil || c == nil {
			return err
		}
		from := c.Field("envFrom")
		if from == nil {
			return nil
		}
		var keep []*yaml.Node
		for _, e := range from.Value.YNode().Content {
			ref, _ := yaml.NewRNode(e).Pipe(yaml.Lookup("secretRef", "name"))
			if ref == nil || ref.YNode().Value != secret {
				keep = append(keep, e)
			}
		}
		from.Value.YNode().Content = keep
		if len(keep) == 0 {
			_, err = c.Pipe(yaml.Clear("envFrom"))
		}
		return err
	})
}

// hasContainer reports whether the Deployment has the named container.
func hasContainer(o *fn.KubeObject, container string) bool {
	cs, _, _ := o.NestedSlice("spec", "template", "spec", "containers")
	for _, c := range cs {
		if n, _, _ := c.NestedString("name"); n == container {
			return true
		}
	}
	return false
}
