package kit

import "github.com/kptdev/krm-functions-sdk/go/fn"

// Finding is something a translation of one object noticed: a warning when
// the output does not do exactly what the source did (a field dropped, a
// match narrowed), an info note otherwise. Converters that run both inside a
// KRM function and in a run-time controller collect findings instead of
// writing results, so that each caller reports them its own way (results of
// the ResourceList, Events on the source object).
type Finding struct {
	// Severity is fn.Warning when the output differs in behaviour from the
	// source, fn.Info for a note that changes nothing.
	Severity fn.Severity
	// Field is the path of the source field the finding is about, e.g.
	// "spec.http[0].match[1].uri"; "" for the object as a whole.
	Field string
	// Message says what was found, for a person.
	Message string
}

// Result turns a finding about o into a result of the ResourceList.
func (f Finding) Result(o *fn.KubeObject) *fn.Result {
	return NewResult(f.Severity, o, f.Field, "%s", f.Message)
}
