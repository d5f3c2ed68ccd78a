package krmio

import (
	"fmt"
	"io"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// stepReport is what one function of the run appended.
type stepReport struct {
	function string
	results  fn.Results
}

// process runs f, collecting what each function of the run appended.
func process(f kit.Function, rl *fn.ResourceList) (ok bool, reports []stepReport) {
	ok = kit.ProcessReporting(f, rl, func(function string, results fn.Results) {
		reports = append(reports, stepReport{function, results})
	})
	return ok, reports
}

// writeReport prints, for each function of the run in turn, its warning and
// error results one line each (kustomize shows a function's stderr and
// nothing else of its results), then its summary line. It reports whether
// any of them is an error.
func writeReport(w io.Writer, reports []stepReport) (hasErrors bool) {
	for _, r := range reports {
		for _, res := range r.results {
			if res.Severity == fn.Error || res.Severity == fn.Warning {
				fmt.Fprintln(w, oneLine(res.String()))
			}
			hasErrors = hasErrors || res.Severity == fn.Error
		}
		fmt.Fprintln(w, summaryLine(r.function, r.results))
	}
	return hasErrors
}

// summaryLine is one line the same for every function:
//
//	<function>: ok|failed, <n> errors, <n> warnings[: <summary>]
//
// where <summary> is the function's own summary result (the last info
// result about no object that starts with the function's name), without
// the name.
func summaryLine(function string, results fn.Results) string {
	errors, warnings := 0, 0
	summary := ""
	for _, r := range results {
		switch r.Severity {
		case fn.Error:
			errors++
		case fn.Warning:
			warnings++
		case fn.Info:
			if s, ok := ownSummary(function, r); ok {
				summary = s
			}
		}
	}
	status := "ok"
	if errors > 0 {
		status = "failed"
	}
	line := fmt.Sprintf("%s: %s, %s, %s", function, status, count(errors, "error"), count(warnings, "warning"))
	if summary != "" {
		line += ": " + summary
	}
	return oneLine(line)
}

// ownSummary is the text of a function's summary result after its name.
func ownSummary(function string, r *fn.Result) (string, bool) {
	if r.ResourceRef != nil {
		return "", false
	}
	rest, ok := strings.CutPrefix(r.Message, function)
	if !ok || (!strings.HasPrefix(rest, ":") && !strings.HasPrefix(rest, " (")) {
		return "", false
	}
	return strings.TrimSpace(strings.TrimPrefix(rest, ":")), true
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
