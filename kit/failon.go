package kit

import (
	"fmt"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// FailOn is the least severe result that fails a run: the config field
// failOn of every function (and of the chain), so that CI can fail on
// warnings, which otherwise exit 0.
type FailOn string

const (
	// FailOnError (the default, also when left out): only error results
	// fail the run.
	FailOnError FailOn = "error"
	// FailOnWarning: a warning result fails the run too.
	FailOnWarning FailOn = "warning"
)

// Validate rejects a value that is neither level.
func (f FailOn) Validate() error {
	if f == "" {
		return nil
	}
	return CheckOneOf("failOn", f, FailOnError, FailOnWarning)
}

// Enforce fails a run that succeeded but produced warnings (results) when f
// is warning: it appends an error result saying so and reports false.
// function names the function (or chain step) whose run it is.
func (f FailOn) Enforce(rs *fn.Results, results fn.Results, function string) bool {
	if HasErrors(results) {
		return false
	}
	if f != FailOnWarning {
		return true
	}
	warnings := 0
	for _, r := range results {
		if r.Severity == fn.Warning {
			warnings++
		}
	}
	if warnings == 0 {
		return true
	}
	noun := "warnings"
	if warnings == 1 {
		noun = "warning"
	}
	*rs = append(*rs, &fn.Result{Severity: fn.Error,
		Message: fmt.Sprintf("%s: failOn is warning and the run produced %d %s", function, warnings, noun)})
	return false
}

// Diagnostics is embedded in every function's config: how the run reports
// and fails. Definition requires it, so that no function lacks failOn.
type Diagnostics struct {
	// FailOn is "error" (the default) or "warning".
	FailOn FailOn `json:"failOn,omitempty"`
}

func (d Diagnostics) diagnostics() Diagnostics { return d }

// Config is what a function's config type must be: a struct embedding
// Diagnostics.
type Config interface {
	diagnostics() Diagnostics
}
