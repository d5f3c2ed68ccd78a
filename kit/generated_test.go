package kit

import (
	"maps"
	"testing"
)

func TestGeneratedFile(t *testing.T) {
	for _, tc := range []struct{ kind, namespace, name, want string }{
		{"Gateway", "apps", "waypoint", "fn/gateway_apps_waypoint.yaml"},
		{"Namespace", "", "Team-A", "fn/namespace_team-a.yaml"},
	} {
		if got := GeneratedFile("fn", tc.kind, tc.namespace, tc.name); got != tc.want {
			t.Errorf("GeneratedFile(%q, %q, %q) = %q, want %q", tc.kind, tc.namespace, tc.name, got, tc.want)
		}
	}
}

func TestGeneratedMetaCopiesAnnotations(t *testing.T) {
	own := map[string]string{"a": "1"}
	m := GeneratedMeta("fn", "Gateway", "apps", "w", own)
	want := map[string]string{
		"a":                                  "1",
		"config.kubernetes.io/path":          "fn/gateway_apps_w.yaml",
		"internal.config.kubernetes.io/path": "fn/gateway_apps_w.yaml",
	}
	if !maps.Equal(m.Annotations, want) {
		t.Errorf("annotations = %v, want %v", m.Annotations, want)
	}
	if len(own) != 1 {
		t.Errorf("the caller's annotations were changed: %v", own)
	}
	if m.Name != "w" || m.Namespace != "apps" || m.Labels != nil {
		t.Errorf("meta = %+v", m)
	}
}
