package kit

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	sigsjson "sigs.k8s.io/json"
)

// DecodeJSON strictly decodes JSON onto cfg, which holds the defaults:
// case-sensitive field names, unknown and duplicate fields are errors naming
// the field path.
//
// One rule decides what a given field does to its default: it replaces it
// whole. Lists, maps, scalars and pointers given are exactly what the input
// says (Go's decoder would decode a list into the default's elements, so
// that `[{namespace: a, name: b}]` inherited the first default's `key`, and
// merge a map into the default map). A nested object (a struct field) is a
// group of fields: each field it gives replaces that field's default, the
// fields it leaves out keep theirs.
func DecodeJSON(raw []byte, cfg any) error {
	dst := reflect.ValueOf(cfg)
	if dst.Kind() != reflect.Pointer || dst.IsNil() {
		return fmt.Errorf("decoding config: %T is not a non-nil pointer", cfg)
	}
	given := reflect.New(dst.Type().Elem())
	if err := DecodeStrictJSON(raw, given.Interface()); err != nil {
		return err
	}
	return overlay(dst.Elem(), given.Elem(), raw)
}

// DecodeStrictJSON decodes raw into v as the API server's strict decoding
// does: unknown and duplicate fields are errors, and type errors name the
// field and the JSON type expected.
func DecodeStrictJSON(raw []byte, v any) error {
	strict, err := sigsjson.UnmarshalStrict(raw, v)
	if err != nil {
		return cleanJSONError(err)
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = e.Error()
		}
		return fmt.Errorf("%s", strings.Join(msgs, "; "))
	}
	return nil
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// overlay sets on dst the fields raw gives, taking their values from given
// (raw decoded from zero): a struct given as an object field by field,
// anything else whole.
func overlay(dst, given reflect.Value, raw json.RawMessage) error {
	var fields map[string]json.RawMessage
	if dst.Kind() != reflect.Struct || reflect.PointerTo(dst.Type()).Implements(jsonUnmarshaler) ||
		json.Unmarshal(raw, &fields) != nil || fields == nil {
		dst.Set(given)
		return nil
	}
	for name, sub := range fields {
		index, ok := jsonFieldIndex(dst.Type(), name)
		if !ok {
			return fmt.Errorf("unknown field %q", name) // decodeStrict has rejected it already
		}
		if err := overlay(dst.FieldByIndex(index), given.FieldByIndex(index), sub); err != nil {
			return err
		}
	}
	return nil
}

// jsonFieldIndex finds the struct field JSON decodes name into, looking
// into embedded structs as encoding/json does.
func jsonFieldIndex(t reflect.Type, name string) ([]int, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			if sub, ok := jsonFieldIndex(f.Type, name); ok {
				return append([]int{i}, sub...), true
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if tag == name {
			return []int{i}, true
		}
	}
	return nil, false
}
