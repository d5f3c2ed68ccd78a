package argocdapps_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/functions/argocd-apps/argocdapps"
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// BenchmarkCorpus is argocd-apps over the master render after the functions
// before it (make bench compares it with a do-nothing function).
func BenchmarkCorpus(b *testing.B) {
	in := corpus.ResourceList(b, corpus.Master)
	b.ResetTimer()
	for range b.N {
		if _, stderr, code := krmio.Process(argocdapps.Function, in); code != 0 {
			b.Fatal(stderr)
		}
	}
}

// BenchmarkFloor is a do-nothing function through the same I/O, measured in
// the same run for comparison.
func BenchmarkFloor(b *testing.B) {
	in := corpus.ResourceList(b, corpus.Master)
	noop := kit.Definition[struct{ kit.Diagnostics }]{FunctionName: "noop", Kind: "Noop",
		Defaults: func() struct{ kit.Diagnostics } { return struct{ kit.Diagnostics }{} },
		Run:      func(*fn.ResourceList, *struct{ kit.Diagnostics }) error { return nil }}
	b.ResetTimer()
	for range b.N {
		if _, stderr, code := krmio.Process(noop, in); code != 0 {
			b.Fatal(stderr)
		}
	}
}
