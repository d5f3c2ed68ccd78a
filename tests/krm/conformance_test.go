package krm

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kfgitops/kfgitops/functions/backup/backup"
	"github.com/kfgitops/kfgitops/functions/identity-provider/identityprovider"
	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/functions/monitoring/monitoring"
	"github.com/kfgitops/kfgitops/functions/placement/placement"
	"github.com/kfgitops/kfgitops/functions/verify/verify"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/conformance"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	sigsyaml "sigs.k8s.io/yaml"
)

// validators are the registered functions that change nothing; the mutators
// are registered in chain.Steps.
var validators = []kit.Function{
	verify.Function,
}

// dayTwo are the mutators that run before the chain (pipelines/kubeflow-day2):
// off by default, each a function of its own.
var dayTwo = []kit.Function{
	identityprovider.Function,
	placement.Function,
	monitoring.Function,
	backup.Function,
}

// dayTwoProfiles are the day-2 functions again with the config their step
// of pipelines/kubeflow-day2 runs, used when the input gives none: off by
// default, they would otherwise only be checked doing nothing.
func dayTwoProfiles() []kit.Function {
	return []kit.Function{
		withConfig{identityprovider.Function, "pipelines/kubeflow-day2/identity-provider.yaml"},
		withConfig{placement.Function, "pipelines/kubeflow-day2/placement.yaml"},
		withConfig{monitoring.Function, "pipelines/kubeflow-day2/monitoring.yaml"},
		withConfig{backup.Function, "pipelines/kubeflow-day2/backup.yaml"},
	}
}

// withConfig is a function whose default config is read from a file of the
// repository (a functionConfig document).
type withConfig struct {
	kit.Function
	file string
}

func (w withConfig) Name() string {
	return w.Function.Name() + "-" + filepath.Base(filepath.Dir(w.file))
}

func (w withConfig) Process(rl *fn.ResourceList) bool {
	if rl.FunctionConfig == nil || rl.FunctionConfig.IsEmpty() {
		return w.Function.ProcessJSON(rl, w.config())
	}
	return w.Function.Process(rl)
}

func (w withConfig) ProcessJSON(rl *fn.ResourceList, config json.RawMessage) bool {
	if len(config) == 0 || string(config) == "null" {
		config = w.config()
	}
	return w.Function.ProcessJSON(rl, config)
}

// config is the file's config fields as JSON; a file that cannot be read
// is a config that fails the run, naming it.
func (w withConfig) config() json.RawMessage {
	raw, err := os.ReadFile(filepath.Join("..", "..", w.file))
	if err == nil {
		raw, err = sigsyaml.YAMLToJSON(raw)
	}
	var fields map[string]json.RawMessage
	if err == nil {
		err = json.Unmarshal(raw, &fields)
	}
	if err != nil {
		return json.RawMessage(strconv.Quote(w.file + ": " + err.Error()))
	}
	for _, k := range []string{"apiVersion", "kind", "metadata"} {
		delete(fields, k)
	}
	out, _ := json.Marshal(fields)
	return out
}

// allFunctions is every registered function plus the chain of the mutators.
// A validator is run on the chain's output, as in the pipeline: it rightly
// fails on a bundle that was not migrated.
func allFunctions() []kit.Function {
	all := append([]kit.Function{}, chain.Steps...)
	all = append(all, dayTwo...)
	all = append(all, dayTwoProfiles()...)
	all = append(all, chain.Function)
	for _, v := range validators {
		all = append(all, afterChain{v})
	}
	return all
}

// afterChain runs a validator after the chain with its defaults.
type afterChain struct{ kit.Function }

func (a afterChain) Process(rl *fn.ResourceList) bool {
	return chain.Function.ProcessJSON(rl, nil) && a.Function.Process(rl)
}

func (a afterChain) ProcessJSON(rl *fn.ResourceList, config json.RawMessage) bool {
	return chain.Function.ProcessJSON(rl, nil) && a.Function.ProcessJSON(rl, config)
}

func (a afterChain) RemovableKinds() []kit.GroupKind {
	return append(chain.Function.RemovableKinds(), a.Function.RemovableKinds()...)
}

func (a afterChain) SetsPathAnnotations() bool {
	return chain.Function.SetsPathAnnotations() || a.Function.SetsPathAnnotations()
}

func TestConformance(t *testing.T) {
	for _, f := range allFunctions() {
		t.Run(f.Name(), func(t *testing.T) {
			t.Parallel()
			conformance.Run(t, f)
		})
	}
}

func TestConformanceOnCorpus(t *testing.T) {
	dir := corpus.Require(t)
	for _, f := range allFunctions() {
		t.Run(f.Name(), func(t *testing.T) {
			t.Parallel()
			if _, ok := f.(afterChain); ok {
				// A single component's render is a partial bundle: a
				// validator rightly reports what it references elsewhere.
				conformance.RunCorpusFiles(t, f, []string{filepath.Join(dir, corpus.Master), filepath.Join(dir, corpus.Release)})
				return
			}
			conformance.RunCorpus(t, f)
		})
	}
}

// The in-process chain must give exactly what running the functions one
// after the other gives.
func TestChainEqualsSeparateFunctions(t *testing.T) {
	for _, file := range []string{corpus.Master, corpus.Release} {
		t.Run(file, func(t *testing.T) {
			in := corpus.ResourceList(t, file)
			chained, stderr, code := krmio.Process(chain.Function, in)
			if code != 0 {
				t.Fatalf("chain: exit %d: %s", code, stderr)
			}
			out := in
			for _, f := range chain.Steps {
				if out, stderr, code = krmio.Process(f, out); code != 0 {
					t.Fatalf("%s: exit %d: %s", f.Name(), code, stderr)
				}
			}
			if !bytes.Equal(chained, out) {
				t.Fatal("the chain's output differs from the separate functions' output")
			}
		})
	}
}

// Each function's fast I/O must write exactly what the SDK would write.
func TestFastIOMatchesSDK(t *testing.T) {
	in := corpus.ResourceList(t, corpus.Master)
	for _, f := range allFunctions() {
		t.Run(f.Name(), func(t *testing.T) {
			fast, _, code := krmio.Process(f, in)
			if code != 0 {
				t.Fatalf("exit %d", code)
			}
			sdk, err := fn.Run(fn.ResourceListProcessorFunc(func(rl *fn.ResourceList) (bool, error) {
				return f.Process(rl), nil
			}), in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fast, sdk) {
				t.Fatal("fast output differs from the SDK's")
			}
		})
	}
}
