package kit

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// CheckDNSLabel returns an error naming field when v is not an RFC 1123
// label (what the API server requires of a namespace name, a Service name
// and most name parts): the API server's own check and words.
func CheckDNSLabel(field, v string) error {
	return nameError(field, v, validation.IsDNS1123Label(v))
}

// CheckDNSSubdomain returns an error naming field when v is not an RFC 1123
// subdomain (what the API server requires of most object names).
func CheckDNSSubdomain(field, v string) error {
	return nameError(field, v, validation.IsDNS1123Subdomain(v))
}

func nameError(field, v string, errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s %q: %s", field, v, strings.Join(errs, "; "))
}
