package identityprovider

import (
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// userIDPrefixSetting is how Kubeflow's components name the prefix they
// strip from the user-id header: the profile controller and kfam
// (profiles-config USERID_PREFIX), the dashboard and the web apps
// (USERID_PREFIX, CD_/JWA_/TWA_/VWA_USERID_PREFIX), Pipelines
// (KUBEFLOW_USERID_PREFIX).
func userIDPrefixSetting(name string) bool {
	return name == "USERID_PREFIX" || strings.HasSuffix(name, "_USERID_PREFIX")
}

// setUserIDPrefix sets every user-id prefix setting of the bundle (a
// ConfigMap key, or a container variable with a literal value) to prefix;
// it returns the objects changed.
func setUserIDPrefix(items fn.KubeObjects, prefix string) ([]*fn.KubeObject, error) {
	var changed []*fn.KubeObject
	for _, o := range kit.EditableItems(items) {
		var did bool
		var err error
		switch {
		case kit.ConfigMapKind.Is(o):
			did, err = setConfigMapPrefix(o, prefix)
		case kit.DeploymentKind.Is(o):
			did, err = setContainerPrefix(o, prefix)
		}
		if err != nil {
			return nil, err
		}
		if did {
			changed = append(changed, o)
		}
	}
	return changed, nil
}

func setConfigMapPrefix(o *fn.KubeObject, prefix string) (bool, error) {
	data, _, err := o.NestedStringMap("data")
	if err != nil {
		return false, nil // binary or odd data: no setting of ours
	}
	did := false
	for k, v := range data {
		if userIDPrefixSetting(k) && v != prefix {
			if err := o.SetNestedString(prefix, "data", k); err != nil {
				return false, kit.Errorf(o, "data."+k, "%v", err)
			}
			did = true
		}
	}
	return did, nil
}

func setContainerPrefix(o *fn.KubeObject, prefix string) (bool, error) {
	containers, _, _ := o.NestedSlice("spec", "template", "spec", "containers")
	did := false
	for _, c := range containers {
		env, _, _ := c.NestedSlice("env")
		for _, e := range env {
			name, _, _ := e.NestedString("name")
			v, literal, _ := e.NestedString("value")
			from := e.GetMap("valueFrom") != nil
			if !userIDPrefixSetting(name) || from || v == prefix || (!literal && prefix == "") {
				continue
			}
			if err := e.SetNestedString(prefix, "value"); err != nil {
				return false, kit.Errorf(o, "spec.template.spec.containers.env", "%v", err)
			}
			did = true
		}
	}
	return did, nil
}
