package kit

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// ConfigGroup is the API group of every typed functionConfig of this project.
const (
	ConfigGroup      = "fn.kfgitops.dev"
	ConfigAPIVersion = ConfigGroup + "/v1alpha1"
)

// Validator is implemented by configs that check themselves after decoding.
type Validator interface {
	Validate() error
}

// DecodeConfig decodes a functionConfig onto cfg, which the caller has filled
// with the defaults. It accepts:
//   - no config, an empty one, or kpt's placeholder ConfigMap: defaults;
//   - a typed config, apiVersion fn.kfgitops.dev/<any>, kind == kind: every
//     top-level field but apiVersion, kind and metadata is a config field;
//   - a v1 ConfigMap: each data key is a top-level config field; values of
//     non-string fields are parsed as YAML ("true", "[a, b]", a nested map).
//
// Decoding is strict: unknown fields and wrong value types are errors naming
// the field, never silently ignored. A field given replaces its default
// whole (see DecodeJSON).
func DecodeConfig(fc *fn.KubeObject, kind string, cfg any) error {
	if fc == nil || fc.IsEmpty() {
		return validate(cfg)
	}
	if err := CheckConfigSize(fc); err != nil {
		return err
	}
	gk := GroupKindOf(fc)
	switch {
	case gk == ConfigMapKind:
		data, err := configMapData(fc)
		if err != nil {
			return fmt.Errorf("functionConfig ConfigMap %q: %w", fc.GetName(), err)
		}
		if len(data) == 0 && fc.GetName() == "function-input" {
			return validate(cfg) // kpt's placeholder
		}
		raw, err := configMapJSON(data, cfg)
		if err != nil {
			return fmt.Errorf("functionConfig ConfigMap %q: %w", fc.GetName(), err)
		}
		if err := DecodeJSON(raw, cfg); err != nil {
			return fmt.Errorf("functionConfig ConfigMap %q: %w", fc.GetName(), err)
		}
		return validate(cfg)
	case gk.Group == ConfigGroup && gk.Kind == kind:
		raw, err := typedJSON(fc)
		if err != nil {
			return fmt.Errorf("functionConfig %s %q: %w", kind, fc.GetName(), err)
		}
		if err := DecodeJSON(raw, cfg); err != nil {
			return fmt.Errorf("functionConfig %s %q: %w", kind, fc.GetName(), err)
		}
		return validate(cfg)
	default:
		return fmt.Errorf("functionConfig %s %q is not supported: use kind %s of apiVersion %s, or a ConfigMap",
			fc.GetAPIVersion()+"/"+fc.GetKind(), fc.GetName(), kind, ConfigAPIVersion)
	}
}

func validate(cfg any) error {
	if v, ok := cfg.(Validator); ok {
		return v.Validate()
	}
	return nil
}

// cleanJSONError turns Go's "json: cannot unmarshal string into Go struct
// field Config.spec.overwrite of type bool" into a message naming the field
// the user wrote.
func cleanJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("field %q: expected %s, got %s", te.Field, JSONTypeName(te.Type), te.Value)
	}
	return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "json: "))
}

// JSONTypeName names the JSON type Go decodes into t ("a list", "a string").
func JSONTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// typedJSON is the typed config as JSON without apiVersion, kind, metadata.
// It converts the parsed node (YAML 1.2, like the rest of the pipeline), so
// keys such as "y" or "on" stay strings.
func typedJSON(fc *fn.KubeObject) ([]byte, error) {
	var m map[string]any
	err := EditRNode(fc, func(rn *kyaml.RNode) error {
		j, err := rn.MarshalJSON()
		if err != nil {
			return err
		}
		return json.Unmarshal(j, &m)
	})
	if err != nil {
		return nil, err
	}
	delete(m, "apiVersion")
	delete(m, "kind")
	delete(m, "metadata")
	return json.Marshal(m)
}

// configMapJSON maps ConfigMap data onto the config's top-level fields: the
// value of a string field is taken as written, any other value is YAML.
func configMapJSON(data map[string]string, cfg any) ([]byte, error) {
	fields := jsonFieldKinds(reflect.TypeOf(cfg))
	m := make(map[string]any, len(data))
	for key, value := range data {
		kind, ok := fields[key]
		if !ok {
			return nil, fmt.Errorf("unknown field %q in data", key)
		}
		if kind == reflect.String {
			m[key] = value
			continue
		}
		var v any
		if err := kyaml.Unmarshal([]byte(value), &v); err != nil {
			return nil, fmt.Errorf("data.%s: %w", key, err)
		}
		m[key] = v
	}
	return json.Marshal(m)
}

// jsonFieldKinds lists a struct's JSON field names and their kinds, those
// of embedded structs (Diagnostics) included, as encoding/json sees them.
func jsonFieldKinds(t reflect.Type) map[string]reflect.Kind {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	out := map[string]reflect.Kind{}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			maps.Copy(out, jsonFieldKinds(f.Type))
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type.Kind()
	}
	return out
}
