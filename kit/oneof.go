package kit

import (
	"fmt"
	"slices"
	"strings"
)

// CheckOneOf rejects a value of a string enum config field that is none of
// allowed: `field "v": want "a", "b" or "c"`. A field that may be left out
// checks its empty value before.
func CheckOneOf[T ~string](field string, v T, allowed ...T) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	want := quoted[len(quoted)-1]
	if len(quoted) > 1 {
		want = strings.Join(quoted[:len(quoted)-1], ", ") + " or " + want
	}
	return fmt.Errorf("%s %q: want %s", field, v, want)
}
