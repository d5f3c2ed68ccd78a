package profiles_test

import (
	"testing"

	"github.com/kfgitops/kfgitops/functions/profiles/profiles"
	"github.com/kfgitops/kfgitops/kit/golden"
)

func TestGolden(t *testing.T) {
	golden.Run(t, "testdata", profiles.Function)
}

// kfam's getBindingName on the e-mail shapes people have: the names must be
// the ones kfam computes, or the dashboard would not list the contributor and
// kfam would add a second binding.
func TestBindingName(t *testing.T) {
	for _, tc := range []struct{ email, role, want string }{
		{"jane@example.com", "edit", "user-jane-example-com-clusterrole-edit"},
		{"jane.doe@example.com", "view", "user-jane-doe-example-com-clusterrole-view"},
		{"Jane.Doe@Example.COM", "edit", "user-jane-doe-example-com-clusterrole-edit"},
		{"jane+ml@example.com", "edit", "user-jane-ml-example-com-clusterrole-edit"},
		{"jane..+doe@example.com", "edit", "user-jane-doe-example-com-clusterrole-edit"},
		{"-jane@example.com", "edit", "user-jane-example-com-clusterrole-edit"},
		{"o'brien_1@sub.example.io", "view", "user-o-brien-1-sub-example-io-clusterrole-view"},
		{"a-b@x.io", "edit", "user-a-b-x-io-clusterrole-edit"},
	} {
		if got := profiles.BindingName(tc.email, tc.role); got != tc.want {
			t.Errorf("BindingName(%q, %q) = %q, want %q", tc.email, tc.role, got, tc.want)
		}
	}
}
