package kit

import (
	"errors"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// As decodes the object, or a part of it, onto v with the SDK's As: the
// YAML tree is converted to JSON and decoded with encoding/json, so the json
// tags of Kubernetes API types apply and nothing is serialized and parsed
// again. Unknown fields are ignored, as when reading other people's objects
// one needs only some fields of. A decoding error is returned in the words
// of the YAML (a field path and a JSON type), not the SDK's, which name Go
// types; callers wrap it with the object (Errorf).
func As(o *fn.SubObject, v any) error {
	err := o.As(v)
	if err == nil {
		return nil
	}
	if inner := errors.Unwrap(err); inner != nil {
		err = inner
	}
	return cleanJSONError(err)
}

// MapOf is v as a decoded YAML/JSON mapping, nil when it is not one: for
// walking decoded objects in which a value of the wrong type counts as
// absent (a schema or verify reports it).
func MapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// ListOf is v as a decoded YAML/JSON list, nil when it is not one.
func ListOf(v any) []any {
	l, _ := v.([]any)
	return l
}
