package kit

import "github.com/kptdev/krm-functions-sdk/go/fn"

// Reporter receives, when a function of a run finishes, its name and the
// results it appended (krmio prints its warnings, errors and summary line).
type Reporter func(function string, results fn.Results)

// Composite is a Function that runs other Functions in turn (the chain).
// ProcessReporting is Process, reporting each step as it finishes with the
// results that step appended, so that a step run in the chain is reported
// exactly as it is when it runs alone.
type Composite interface {
	Function
	ProcessReporting(rl *fn.ResourceList, report Reporter) bool
}

// ProcessReporting runs f over rl, reporting f (or each step of a Composite)
// when it finishes. It returns what Process returns.
func ProcessReporting(f Function, rl *fn.ResourceList, report Reporter) bool {
	if c, ok := f.(Composite); ok {
		return c.ProcessReporting(rl, report)
	}
	before := len(rl.Results)
	ok := f.Process(rl)
	report(f.Name(), rl.Results[before:])
	return ok
}
