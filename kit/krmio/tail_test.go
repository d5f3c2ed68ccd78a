package krmio

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Results are written in chunks; the output must be the SDK's encoding of
// the whole list, byte for byte, at every chunk boundary.
func TestWriteTailChunksResults(t *testing.T) {
	fc, err := fn.ParseKubeObject([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := fn.ParseKubeObject([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, resultsChunk, resultsChunk + 1, 3*resultsChunk + 7} {
		for _, config := range []*fn.KubeObject{fc, fn.NewEmptyKubeObject()} {
			rl := &fn.ResourceList{FunctionConfig: config}
			for i := range n {
				rl.Results = append(rl.Results, &fn.Result{Severity: fn.Info, Message: fmt.Sprintf("result %d", i),
					ResourceRef: &fn.ResourceRef{APIVersion: obj.GetAPIVersion(), Kind: obj.GetKind(), Name: obj.GetName(), Namespace: obj.GetNamespace()},
					Field:       &fn.Field{Path: "spec"}})
			}
			want, err := sdkTail(rl)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := writeTail(&got, rl); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%d results, config %v: chunked output differs from the SDK's", n, !config.IsEmpty())
			}
		}
	}
}
