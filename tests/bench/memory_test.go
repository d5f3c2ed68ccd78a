package bench

import (
	"sync"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/golden"
)

// memoryScales are the inputs of BenchmarkProcessRSS: the corpus copied 16
// times, and 50,000 small objects (a large multi-tenant bundle, where the
// per-object cost dominates instead of the bytes).
var memoryScales = []struct {
	name  string
	input func(b *testing.B) []byte
}{
	{"x16", func(b *testing.B) []byte { return input(b, 16) }},
	{"objects50k", func(*testing.B) []byte { return smallInput() }},
}

var smallInput = sync.OnceValue(func() []byte { return corpus.Wrap(SmallObjects(50_000)) })

// BenchmarkProcessRSS runs every function binary, the chain binary and
// verify (on the chain's output, as the pipeline runs it) once per memory
// scale, for peak RSS; BenchmarkProcess gives the 1× figures. One run per
// row: peak RSS varies little from run to run, and the 16× rows take
// minutes.
func BenchmarkProcessRSS(b *testing.B) {
	floor := *floorBinary(b)
	names := []string{}
	for _, f := range chain.Steps {
		names = append(names, f.Name())
	}
	names = append(names, "kubeflow-gitops", "verify")
	for _, scale := range memoryScales {
		for _, name := range names {
			b.Run(name+"/"+scale.name, func(b *testing.B) {
				in := scale.input(b)
				if name == "verify" {
					in = chainOutput(b, scale.name, in)
				}
				var m measurement
				for range b.N {
					_, m = run(b, processRun{bin: binary(b, name), stdin: in, findingsOK: name == "verify"})
				}
				report(b, m, floor)
				reportInput(b, in)
			})
		}
	}
}

var (
	chainOutputsMu sync.Mutex
	chainOutputs   = map[string][]byte{}
)

// chainOutput is the chain binary's output for in (its items: the input
// verify gets in the pipeline), computed once per scale.
func chainOutput(b *testing.B, scale string, in []byte) []byte {
	chainOutputsMu.Lock()
	defer chainOutputsMu.Unlock()
	if out, ok := chainOutputs[scale]; ok {
		return out
	}
	out, _ := runProcess(b, binary(b, "kubeflow-gitops"), nil, in)
	chainOutputs[scale] = golden.ItemsOnly(b, out)
	return chainOutputs[scale]
}
