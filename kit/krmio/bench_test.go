package krmio_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

// BenchmarkRead reads the master render (12 MB) as every function does.
func BenchmarkRead(b *testing.B) {
	in := corpus.ResourceList(b, corpus.Master)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := krmio.Read(in); err != nil {
			b.Fatal(err)
		}
	}
}
