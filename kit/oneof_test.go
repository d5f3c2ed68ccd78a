package kit_test

import (
	"fmt"
	"testing"

	"github.com/kfgitops/kfgitops/kit"
)

func TestCheckOneOf(t *testing.T) {
	type mode string
	for _, c := range []struct {
		name    string
		v       mode
		allowed []mode
		want    string // the error, "" for none
	}{
		{"allowed", "b", []mode{"a", "b"}, ""},
		{"one allowed", "x", []mode{"a"}, `mode "x": want "a"`},
		{"two allowed", "x", []mode{"a", "b"}, `mode "x": want "a" or "b"`},
		{"three allowed", "x", []mode{"a", "b", "c"}, `mode "x": want "a", "b" or "c"`},
		{"empty is a value like any", "", []mode{"a", "b"}, `mode "": want "a" or "b"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := kit.CheckOneOf("mode", c.v, c.allowed...)
			if got := fmt.Sprint(err); (err == nil) != (c.want == "") || err != nil && got != c.want {
				t.Errorf("CheckOneOf = %v, want %q", err, c.want)
			}
		})
	}
}
