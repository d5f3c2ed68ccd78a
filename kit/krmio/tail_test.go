package krmio

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The tail is written result by result, most of them without the SDK; the
// output must be the SDK's encoding of the whole list, byte for byte.
func TestWriteTailMatchesSDK(t *testing.T) {
	fc, err := fn.ParseKubeObject([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"))
	if err != nil {
		t.Fatal(err)
	}
	messages := []string{"plain", "", "a: b", "'quoted'", `"double"`, "line\nbreak", "trailing\n", " leading", "123", "true", "null",
		"# hash", "- dash", "é ünïcode 😀", "tab\there", "key: value, [x] {y}", "ends with colon:", "%percent", "@at", "`tick`",
		"a very long message that goes on and on beyond eighty columns so that the emitter would fold it if it folded plain scalars at all",
		"control \x01 char", "crlf\r\nline", "~", "*alias", "&anchor", "!tag", "|pipe", ">fold", "? question", "x #comment",
		"1:30", "yes", "No", "0x1F", "1e3", "0o17", ".inf", " ", "a\n", "\n", "trailing spaces   ", "- ", "---", "...", "bad \xff utf8",
		"a\n\n", "  indented\nlines", "ümlaut\nnext"}
	refs := []*fn.ResourceRef{nil, {APIVersion: "v1", Kind: "Service", Name: "s", Namespace: "n"}, {APIVersion: "apps/v1", Kind: "Deployment", Name: "123"},
		{Kind: "X"}, {}, {Name: "y", Namespace: "on"}, {Name: "1:30"}}
	fields := []*fn.Field{nil, {Path: "spec.a[0].b"}, {Path: "metadata.annotations.x/y: z"}, {Path: "p", CurrentValue: 1, ProposedValue: "x"}, {}}
	files := []*fn.File{nil, {Path: "a/b.yaml"}, {Path: "c.yaml", Index: 2}}
	var results fn.Results
	i := 0
	for _, m := range messages {
		for _, ref := range refs {
			for _, f := range fields {
				r := &fn.Result{Message: m, Severity: []fn.Severity{fn.Info, fn.Warning, fn.Error, ""}[i%4], ResourceRef: ref, Field: f, File: files[i%len(files)]}
				if i%17 == 0 {
					r.Tags = map[string]string{"k": "v"}
				}
				results = append(results, r)
				i++
			}
		}
	}
	for _, n := range []int{0, 1, 2, len(results)} {
		for _, config := range []*fn.KubeObject{fc, fn.NewEmptyKubeObject()} {
			rl := &fn.ResourceList{FunctionConfig: config, Results: results[:n]}
			want, err := sdkTail(rl)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := writeTail(&got, rl); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%d results, config %v: output differs from the SDK's:\n%s", n, !config.IsEmpty(), firstDiff(got.Bytes(), want))
			}
		}
	}
}

func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range min(len(g), len(w)) {
		if !bytes.Equal(g[i], w[i]) {
			return fmt.Sprintf("line %d:\n got %q\nwant %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(g), len(w))
}
