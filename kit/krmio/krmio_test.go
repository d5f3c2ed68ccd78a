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
				t.Fatalf("fast output differs from the SDK's at byte %d", krmio.FirstDiff(got.Bytes(), want))
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

// Item-by-item parsing must give what the SDK's whole-document parse gives,
// or step aside: every one of these inputs must be written as the SDK writes it.
func TestReadMatchesSDK(t *testing.T) {
	inputs := map[string]string{
		"plain":                      "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n",
		"comment lines":              "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  # trailing\n# between\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b # line\n",
		"line comments":              "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1 # v\n  kind: ConfigMap\n  metadata:\n    name: a\n",
		"block scalars":              "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    f: |\n      x\n\n      y\n    g: >-\n      folded\n      text\n",
		"indented items":             "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n",
		"flow item":                  "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n",
		"items last":                 "kind: ResourceList\napiVersion: config.kubernetes.io/v1\nfunctionConfig:\n  kind: X\n  metadata:\n    name: c\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n",
		"hash in block scalar":       "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    f: |\n      # not a comment\n      - not an item\n    g: x\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n",
		"comment after block scalar": "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n  data:\n    f: |-\n      text\n  # a real comment\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n",
		"results":                    "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\nresults:\n- message: hi\n  severity: info\n",
		"doc start":                  "---\napiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n",
		"quoted keys":                "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- \"apiVersion\": v1\n  'kind': ConfigMap\n  metadata:\n    name: \"a\"\n",
		"empty lines":                "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n\n- apiVersion: v1\n  kind: ConfigMap\n\n  metadata:\n    name: a\n\n",
		"multi-line flow":            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a,\n    namespace: b}\n",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			want := sdkRoundTrip(t, []byte(in))
			rl, err := krmio.Read([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := krmio.Write(&got, rl); err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got.String(), want)
			}
		})
	}
}

// Anchors are expanded before any function sees the items: the SDK's
// accessors do not follow aliases.
func TestAnchorsAreExpanded(t *testing.T) {
	in := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: &m\n    name: a\n- apiVersion: v1\n  kind: Secret\n  metadata: *m\n"
	rl, err := krmio.Read([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rl.Items {
		if o.GetName() != "a" {
			t.Errorf("%s: name %q", o.GetKind(), o.GetName())
		}
	}
}
