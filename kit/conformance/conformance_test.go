package conformance_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/conformance"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

type noConfig struct{ kit.Diagnostics }

func define(name string, run func(rl *fn.ResourceList) error) kit.Function {
	return kit.Definition[noConfig]{
		FunctionName: name,
		Kind:         "Test",
		Defaults:     func() noConfig { return noConfig{} },
		Run:          func(rl *fn.ResourceList, _ *noConfig) error { return run(rl) },
	}
}

// A function that does nothing conforms.
func TestNoOpConforms(t *testing.T) {
	conformance.Run(t, define("no-op", func(*fn.ResourceList) error { return nil }))
}

// The suite must catch broken functions; each broken function must fail the
// named check.
func TestSuiteCatchesBrokenFunctions(t *testing.T) {
	broken := []struct {
		check string
		f     kit.Function
	}{
		{"orchestrator annotations preserved", define("drops-annotation", func(rl *fn.ResourceList) error {
			for _, o := range rl.Items {
				_ = o.RemoveAnnotation("internal.config.kubernetes.io/path")
			}
			return nil
		})},
		{"idempotent and deterministic", define("not-idempotent", func(rl *fn.ResourceList) error {
			for _, o := range kit.EditableItems(rl.Items) {
				_ = o.SetAnnotation("counter", o.GetAnnotation("counter")+"x")
			}
			return nil
		})},
		{"local-config items and Kptfile pass through", define("edits-everything", func(rl *fn.ResourceList) error {
			for _, o := range rl.Items {
				_ = o.SetLabel("touched", "yes")
			}
			return nil
		})},
		{"comments and field order preserved", define("rebuilds-objects", func(rl *fn.ResourceList) error {
			for i, o := range rl.Items {
				var m map[string]any
				if err := o.As(&m); err != nil {
					return err
				}
				n, err := fn.NewFromTypedObject(m)
				if err != nil {
					return err
				}
				rl.Items[i] = n
			}
			return nil
		})},
		{"results are well-formed", define("bad-results", func(rl *fn.ResourceList) error {
			rl.Results = append(rl.Results, &fn.Result{Message: "x", Severity: "loud"})
			return nil
		})},
	}
	checks := map[string]conformance.Check{}
	for _, c := range conformance.SpecChecks() {
		checks[c.Name] = c
	}
	for _, b := range broken {
		t.Run(b.f.Name(), func(t *testing.T) {
			c, ok := checks[b.check]
			if !ok {
				t.Fatalf("no check %q", b.check)
			}
			if err := c.Run(b.f); err == nil {
				t.Errorf("check %q passed a function that is broken", b.check)
			} else {
				t.Logf("caught: %v", err)
			}
		})
	}
}
