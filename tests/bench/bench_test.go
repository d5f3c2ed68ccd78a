package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/kfgitops/kfgitops/functions/kubeflow-gitops/chain"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Every benchmark reports, besides ns/op and allocations, its ratio to the
// floor measured in the same run: x-floor (time) and, for processes,
// peak-RSS-MiB and rss-x-floor.

var (
	inputOnce sync.Once
	inputs    map[int][]byte // scale factor → ResourceList
	inputErr  error
)

func input(b *testing.B, scale int) []byte {
	b.Helper()
	dir := corpus.Require(b)
	inputOnce.Do(func() {
		raw, err := os.ReadFile(filepath.Join(dir, corpus.Master))
		if err != nil {
			inputErr = err
			return
		}
		inputs = map[int][]byte{}
		for _, n := range []int{1, 4, 16} {
			s, err := ScaleUp(raw, n)
			if err != nil {
				inputErr = err
				return
			}
			inputs[n] = corpus.Wrap(s)
		}
	})
	if inputErr != nil {
		b.Fatal(inputErr)
	}
	return inputs[scale]
}

var noop = fn.ResourceListProcessorFunc(func(*fn.ResourceList) (bool, error) { return true, nil })

// floor times: in-process SDK no-op per scale, and the floor binary's run.
var (
	floorMu      sync.Mutex
	floorInProc  = map[int]time.Duration{}
	floorProcess *measurement
	floorBin     string
)

func floorInProcess(b *testing.B, scale int) time.Duration {
	floorMu.Lock()
	defer floorMu.Unlock()
	if d, ok := floorInProc[scale]; ok {
		return d
	}
	in := input(b, scale)
	start := time.Now()
	const runs = 3
	for range runs {
		if _, err := fn.Run(noop, in); err != nil {
			b.Fatal(err)
		}
	}
	floorInProc[scale] = time.Since(start) / runs
	return floorInProc[scale]
}

// BenchmarkFloor is the SDK's do-nothing function, in process.
func BenchmarkFloor(b *testing.B) {
	for _, scale := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("x%d", scale), func(b *testing.B) {
			in := input(b, scale)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := fn.Run(noop, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFunction is each function alone, in process, on the 1× corpus.
func BenchmarkFunction(b *testing.B) {
	in := input(b, 1)
	floor := floorInProcess(b, 1)
	for _, f := range chain.Steps {
		b.Run(f.Name(), func(b *testing.B) {
			defer asFunctionBinary()()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if _, stderr, code := krmio.Process(f, in); code != 0 {
					b.Fatal(stderr)
				}
			}
			b.ReportMetric(float64(time.Since(start)/time.Duration(b.N))/float64(floor), "x-floor")
		})
	}
}

// asFunctionBinary sets the garbage collector up as a function binary's
// (krmio.Main) and starts from a collected heap, not from the garbage of the
// benchmarks before; it returns the undo.
func asFunctionBinary() func() {
	old := debug.SetGCPercent(krmio.GCPercent)
	runtime.GC()
	return func() { debug.SetGCPercent(old) }
}

// BenchmarkChain is the whole pipeline in one process, at every scale.
func BenchmarkChain(b *testing.B) {
	for _, scale := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("x%d", scale), func(b *testing.B) {
			in := input(b, scale)
			floor := floorInProcess(b, scale)
			defer asFunctionBinary()()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if _, stderr, code := krmio.Process(chain.Function, in); code != 0 {
					b.Fatal(stderr)
				}
			}
			b.ReportMetric(float64(time.Since(start)/time.Duration(b.N))/float64(floor), "x-floor")
		})
	}
}

func floorBinary(b *testing.B) *measurement {
	floorMu.Lock()
	defer floorMu.Unlock()
	if floorProcess != nil {
		return floorProcess
	}
	bin := tool(b, "floor")
	in := input(b, 1)
	best := measurement{wall: time.Hour}
	for range 3 {
		_, m := runProcess(b, bin, nil, in)
		best.wall = min(best.wall, m.wall)
		best.rss = max(best.rss, m.rss)
	}
	floorProcess, floorBin = &best, bin
	return floorProcess
}

// bestOf runs a process measurement n times: the shortest wall time and the
// largest peak RSS, the same statistic as the floor's.
func bestOf(n int, run func() measurement) measurement {
	best := measurement{wall: time.Hour}
	for range n {
		m := run()
		best.wall = min(best.wall, m.wall)
		best.rss = max(best.rss, m.rss)
	}
	return best
}

func report(b *testing.B, m, floor measurement) {
	b.ReportMetric(float64(m.wall)/float64(floor.wall), "x-floor")
	b.ReportMetric(float64(m.rss)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(m.rss)/float64(floor.rss), "rss-x-floor")
}

// reportInput adds the input's size, so that the report can give peak RSS
// as a multiple of it.
func reportInput(b *testing.B, in []byte) {
	b.ReportMetric(float64(len(in))/(1<<20), "input-MiB")
}

// BenchmarkProcess runs binaries as kpt and kustomize do, one process per
// function, on the 1× corpus: the floor, each function, the chain of separate
// processes, and the single chain binary.
func BenchmarkProcess(b *testing.B) {
	in := input(b, 1)
	floor := *floorBinary(b)
	process := func(b *testing.B, bin string) {
		var m measurement
		for range b.N {
			m = bestOf(3, func() measurement { _, m := runProcess(b, bin, nil, in); return m })
		}
		report(b, m, floor)
		reportInput(b, in)
	}
	b.Run("floor", func(b *testing.B) { process(b, floorBin) })
	for _, f := range chain.Steps {
		b.Run(f.Name(), func(b *testing.B) { process(b, binary(b, f.Name())) })
	}
	b.Run("separate-processes", func(b *testing.B) {
		var total measurement
		for range b.N {
			total = measurement{}
			data := in
			for _, f := range chain.Steps {
				var m measurement
				data, m = runProcess(b, binary(b, f.Name()), nil, data)
				total.wall += m.wall
				total.rss = max(total.rss, m.rss)
			}
		}
		report(b, total, floor)
	})
	b.Run("kubeflow-gitops", func(b *testing.B) { process(b, binary(b, "kubeflow-gitops")) })
	b.Run("verify", func(b *testing.B) {
		verifyIn := chainOutput(b, "x1", in)
		var m measurement
		for range b.N {
			m = bestOf(3, func() measurement {
				_, m := run(b, processRun{bin: binary(b, "verify"), stdin: verifyIn, findingsOK: true})
				return m
			})
		}
		report(b, m, floor)
		reportInput(b, verifyIn)
	})
}

// BenchmarkProcessScale runs the chain binary, as users run it, at every
// scale: its time should grow no faster than the input.
func BenchmarkProcessScale(b *testing.B) {
	floor := *floorBinary(b)
	for _, scale := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("x%d", scale), func(b *testing.B) {
			in := input(b, scale)
			var m measurement
			for range b.N {
				m = bestOf(3, func() measurement {
					_, m := runProcess(b, binary(b, "kubeflow-gitops"), nil, in)
					return m
				})
			}
			report(b, m, floor)
		})
	}
}
