package kit_test

import (
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

type noConfig struct{ kit.Diagnostics }

// warner warns about its first item.
var warner = kit.Definition[noConfig]{FunctionName: "warner", Kind: "Warner", Defaults: func() noConfig { return noConfig{} },
	Run: func(rl *fn.ResourceList, _ *noConfig) error {
		kit.Warning(&rl.Results, rl.Items[0], "", "something to look at")
		return nil
	}}

// failOn is one field of every config, typed or in a ConfigMap: warning
// fails a run that warned, with an error result saying why.
func TestFailOn(t *testing.T) {
	typed := func(body string) string {
		return "apiVersion: fn.kfgitops.dev/v1alpha1\nkind: Warner\nmetadata: {name: c}\n" + body
	}
	cases := []struct {
		name, config string
		ok           bool
		wantErr      string
	}{
		{"default", "", true, ""},
		{"error", typed("failOn: error\n"), true, ""},
		{"warning", typed("failOn: warning\n"), false, "warner: failOn is warning and the run produced 1 warning"},
		{"warning in a ConfigMap", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {failOn: warning}\n", false, "failOn is warning"},
		{"bad value", typed("failOn: sometimes\n"), false, `failOn "sometimes": want "error" or "warning"`},
		{"unknown field beside it", typed("failOn: error\nfailOnn: warning\n"), false, `unknown field "failOnn"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := fn.ParseKubeObject([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"))
			if err != nil {
				t.Fatal(err)
			}
			fc := fn.NewEmptyKubeObject()
			if c.config != "" {
				if fc, err = fn.ParseKubeObject([]byte(c.config)); err != nil {
					t.Fatal(err)
				}
			}
			rl := &fn.ResourceList{Items: fn.KubeObjects{o}, FunctionConfig: fc}
			if ok := warner.Process(rl); ok != c.ok {
				t.Fatalf("Process = %v, want %v: %v", ok, c.ok, rl.Results)
			}
			if c.wantErr == "" {
				return
			}
			last := rl.Results[len(rl.Results)-1]
			if last.Severity != fn.Error || !strings.Contains(last.Message, c.wantErr) {
				t.Errorf("last result %v, want an error containing %q", last, c.wantErr)
			}
		})
	}
}
