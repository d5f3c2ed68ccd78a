package krmio

import (
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

func TestWriteReport(t *testing.T) {
	ref := &fn.ResourceRef{APIVersion: "v1", Kind: "Service", Namespace: "shop", Name: "cart"}
	reports := []stepReport{
		{"first", fn.Results{
			{Severity: fn.Info, Message: "first: a note", ResourceRef: ref},
			{Severity: fn.Warning, Message: "kept:\n  on two lines", ResourceRef: ref, Field: &fn.Field{Path: "spec"}},
			{Severity: fn.Info, Message: "first: 3 objects edited"},
		}},
		{"second", fn.Results{{Severity: fn.Info, Message: "second (validate only): 2 objects"}}},
		{"third", fn.Results{{Severity: fn.Error, Message: "third: bad"}, {Severity: fn.Info, Message: "not its summary"}}},
	}
	var b strings.Builder
	if !writeReport(&b, reports) {
		t.Error("an error result was reported as none")
	}
	want := `[warning] v1/Service/shop/cart spec: kept: on two lines
first: ok, 0 errors, 1 warning: 3 objects edited
second: ok, 0 errors, 0 warnings: (validate only): 2 objects
[error]: third: bad
third: failed, 1 error, 0 warnings
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
