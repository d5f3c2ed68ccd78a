package argocdapps

import "testing"

// The generic layout must pass the checks a given config passes: it is
// substituted after validation.
func TestGenericDefaultsValidate(t *testing.T) {
	cfg := GenericDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}
