package kit

import (
	"fmt"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Ref is the result resourceRef of an object.
func Ref(o *fn.KubeObject) *fn.ResourceRef {
	return &fn.ResourceRef{
		APIVersion: o.GetAPIVersion(),
		Kind:       o.GetKind(),
		Name:       o.GetName(),
		Namespace:  o.GetNamespace(),
	}
}

// Describe names the object the way messages do: "Kind namespace/name", or
// "Kind name" for an object without a namespace.
func Describe(o *fn.KubeObject) string {
	if ns := o.GetNamespace(); ns != "" {
		return o.GetKind() + " " + ns + "/" + o.GetName()
	}
	return o.GetKind() + " " + o.GetName()
}

// NewResult builds a result about an object; field is the field path it is
// about ("" for the object as a whole). The file is filled in when the
// orchestrator (kpt) told us where the object lives.
func NewResult(sev fn.Severity, o *fn.KubeObject, field, format string, a ...any) *fn.Result {
	r := &fn.Result{Severity: sev, Message: fmt.Sprintf(format, a...)}
	if o != nil {
		r.ResourceRef = Ref(o)
		if field != "" {
			r.Field = &fn.Field{Path: field}
		}
		if p := o.PathAnnotation(); p != "" {
			r.File = &fn.File{Path: p, Index: max(o.IndexAnnotation(), 0)}
		}
	}
	return r
}

// Info appends an info result about an object.
func Info(rs *fn.Results, o *fn.KubeObject, field, format string, a ...any) {
	*rs = append(*rs, NewResult(fn.Info, o, field, format, a...))
}

// Warning appends a warning result about an object.
func Warning(rs *fn.Results, o *fn.KubeObject, field, format string, a ...any) {
	*rs = append(*rs, NewResult(fn.Warning, o, field, format, a...))
}

// Error appends an error result about an object; the function then exits
// non-zero and the message is also printed on stderr.
func Error(rs *fn.Results, o *fn.KubeObject, field, format string, a ...any) {
	*rs = append(*rs, NewResult(fn.Error, o, field, format, a...))
}

// Summary appends an info result that is about no single object.
func Summary(rs *fn.Results, format string, a ...any) {
	*rs = append(*rs, &fn.Result{Severity: fn.Info, Message: fmt.Sprintf(format, a...)})
}

// HasErrors reports whether any result is an error.
func HasErrors(rs fn.Results) bool {
	for _, r := range rs {
		if r.Severity == fn.Error {
			return true
		}
	}
	return false
}

// ObjectError is an error about one object and field; Run functions return
// it so that the error result points at the object.
type ObjectError struct {
	Object *fn.KubeObject
	Field  string
	Err    error
}

func (e *ObjectError) Error() string {
	id := Describe(e.Object)
	if e.Field != "" {
		id += " " + e.Field
	}
	return id + ": " + e.Err.Error()
}

func (e *ObjectError) Unwrap() error { return e.Err }

// Errorf wraps an error with the identity of the object and field it is about.
func Errorf(o *fn.KubeObject, field, format string, a ...any) error {
	return &ObjectError{Object: o, Field: field, Err: fmt.Errorf(format, a...)}
}
