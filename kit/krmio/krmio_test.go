package krmio_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The fast writer must produce exactly what the SDK's ToYAML produces.
func TestWriteMatchesSDKOnCorpus(t *testing.T) {
	for _, file := range corpus.Files(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			in := corpus.ResourceList(t, file)
			want := sdkRoundTrip(t, in)
			rl, err := krmio.Read(in)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := krmio.Write(&got, rl); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("fast output differs from the SDK's at byte %d", firstDiff(got.Bytes(), want))
			}
		})
	}
}

func sdkRoundTrip(t *testing.T, in []byte) []byte {
	rl, err := fn.ParseResourceList(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := rl.ToYAML()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
