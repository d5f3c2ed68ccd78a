package kservegateway

import (
	"slices"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// setting is one field of one data key's JSON that the function sets.
type setting struct {
	key, field string
	value      any
}

// settings are the fields to set, in the order they are reported.
func settings(cfg *Config, gw ingress.Gateway) []setting {
	return []setting{
		{DeployKey, DefaultDeploymentModeField, deploymentModeValue[cfg.DeploymentMode]},
		{IngressKey, EnableGatewayAPIField, true},
		{IngressKey, KServeIngressGatewayField, gw.Namespace + "/" + gw.Name},
	}
}

// editConfig sets each setting in the ConfigMap's JSON values, keeping every
// other field, its order and its bytes. A data key missing, or not a JSON
// object, is an error: KServe fails on the latter and would run on its
// built-in defaults with the former. It returns the fields it changed, as
// key.field.
func editConfig(cm *fn.KubeObject, ss []setting, results *fn.Results) ([]string, error) {
	docs := map[string]*jsonObject{}
	var order []string
	var changed []string
	for _, s := range ss {
		doc, ok := docs[s.key]
		if !ok {
			var err error
			if doc, err = readJSON(cm, s.key); err != nil {
				return nil, err
			}
			docs[s.key] = doc
			order = append(order, s.key)
		}
		did, err := doc.set(s.field, s.value)
		if err != nil {
			return nil, kit.Errorf(cm, "data."+s.key, "setting %s: %v", s.field, err)
		}
		if did {
			changed = append(changed, s.key+"."+s.field)
			kit.Info(results, cm, "data."+s.key, "%s set to %v", s.field, s.value)
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	for _, key := range order {
		reportUnknown(cm, key, docs[key], results)
		if err := cm.SetNestedString(docs[key].String(), "data", key); err != nil {
			return nil, kit.Errorf(cm, "data."+key, "%v", err)
		}
	}
	return changed, nil
}

func readJSON(cm *fn.KubeObject, key string) (*jsonObject, error) {
	s, found, err := cm.NestedString("data", key)
	if err != nil {
		return nil, kit.Errorf(cm, "data."+key, "%v", err)
	}
	if !found {
		return nil, kit.Errorf(cm, "data."+key, "missing: KServe would run on its built-in defaults, which this function cannot amend")
	}
	doc, err := parseJSONObject(s)
	if err != nil {
		return nil, kit.Errorf(cm, "data."+key, "malformed JSON (KServe fails to load it too): %v", err)
	}
	return doc, nil
}

// reportUnknown notes the fields of an edited document that KServe v0.16.0
// does not decode: they are kept (KServe ignores them), but a misspelt key
// does nothing, which the user should see.
func reportUnknown(cm *fn.KubeObject, key string, doc *jsonObject, results *fn.Results) {
	known := map[string][]Field{IngressKey: IngressFields, DeployKey: DeployFields}[key]
	for _, m := range doc.members {
		if !slices.ContainsFunc(known, func(f Field) bool { return f.Name == m.key }) {
			kit.Info(results, cm, "data."+key, "%s is not a field KServe v0.16.0 reads; kept as it is", m.key)
		}
	}
}
