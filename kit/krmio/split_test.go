package krmio

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The fast path must take every corpus file (or the corpus tests of byte
// identity prove nothing about it, and it is not fast).
func TestSplitCoversCorpus(t *testing.T) {
	for _, file := range corpus.Files(t) {
		if _, ok := readSplit(corpus.ResourceList(t, file)); !ok {
			t.Errorf("%s: the item-by-item reader stepped aside", filepath.Base(file))
		}
	}
}

// KFGITOPS_SDK_READER=1 forces the whole-document parse.
func TestSDKReaderSwitch(t *testing.T) {
	in := []byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n")
	for _, c := range []struct {
		env  string
		fast bool
	}{{"", true}, {"1", false}, {"0", true}} {
		t.Setenv(SDKReaderEnv, c.env)
		if _, fast := parseFast(in); fast != c.fast {
			t.Errorf("%s=%q: item by item %v, want %v", SDKReaderEnv, c.env, fast, c.fast)
		}
	}
}

// FuzzRead: whenever the item-by-item reader takes an input, reading it so
// and writing it must give the SDK's own round trip byte for byte.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nnote: \"\nitems:\n- a: b\n\"\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1 # c\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    f: |\n      x\n# c\nfunctionConfig:\n  data: {a: b}\n",
		"items:\n- a: 1\n  b: [x,\n    y]\n- c: 'q\n  r'\nkind: ResourceList\napiVersion: config.kubernetes.io/v1\nresults:\n- message: m\n",
		// items parsed as consecutive documents of one stream (parseBatch):
		// kept trailing lines, blank lines and no final newline at the end
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- a: |+\n    x\n\n\n- b: c\n\n- d: |-\n    y\n- e: |+\n    z",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, ok := readSplit(in)
		if !ok {
			return
		}
		sdk, err := fn.ParseResourceList(in)
		if err != nil {
			return // e.g. functionConfig: null, which Read takes as none
		}
		if len(sdk.Items) == 0 {
			t.Fatalf("the item-by-item reader found %d items, the SDK none", len(d.items))
		}
		want, err := sdk.ToYAML()
		if err != nil {
			return // the SDK cannot write what it read
		}
		items := make(fn.KubeObjects, len(d.items))
		for i, n := range d.items {
			items[i] = moveObject(n)
		}
		rl := &fn.ResourceList{Items: items, FunctionConfig: fn.NewEmptyKubeObject(), Results: d.results}
		if d.functionConfig != nil {
			rl.FunctionConfig = moveObject(d.functionConfig)
		}
		var got bytes.Buffer
		if err := Write(&got, rl); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("differs from the SDK at byte %d:\n--- item by item\n%s\n--- SDK\n%s", FirstDiff(got.Bytes(), want), got.Bytes(), want)
		}
		fast, whole := prepared(t, readSplit, in), prepared(t, func(in []byte) (*document, bool) {
			d, err := readWhole(in)
			return d, err == nil
		}, in)
		if fast != whole {
			t.Fatalf("Read item by item and as one document differ:\n--- item by item\n%s\n--- whole\n%s", fast, whole)
		}
	})
}

// prepared is what Read makes of in through the given parse: the output,
// or the error.
func prepared(t *testing.T, parse func([]byte) (*document, bool), in []byte) string {
	d, ok := parse(in)
	if !ok {
		t.Fatal("the parse refused input it took before")
	}
	rl, err := prepare(d, len(in))
	if err != nil {
		return "error: " + err.Error()
	}
	var out bytes.Buffer
	if err := Write(&out, rl); err != nil {
		return "write error: " + err.Error()
	}
	return out.String()
}
