package config_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/config"
	"github.com/kfgitops/kfgitops/kit/ingress"
)

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		file    string
		wantErr string // "" means it loads
		check   func(*config.Settings) bool
	}{
		{"defaults.yaml", "", func(s *config.Settings) bool {
			return s.Route.IstioGateway == "kubeflow/kubeflow-gateway" && s.Route.Gateway.Name == "kubeflow-gateway" && len(s.Prefixes) == 4 &&
				s.ProfileLabel == config.Label{Key: "app.kubernetes.io/part-of", Value: "kubeflow-profile"} && s.Waypoint == ingress.Gateway{Name: "waypoint"}
		}},
		{"shared-waypoint.yaml", "", func(s *config.Settings) bool {
			return slices.Equal(s.Prefixes, []string{"/notebook/{namespace}/"}) && s.ProfileLabel == config.Label{Key: "example.com/tenant", Value: "yes"} &&
				s.Waypoint == ingress.Gateway{Namespace: "waypoints", Name: "shared"}
		}},
		{"unknown-field.yaml", `istioGatways`, nil},
		{"wrong-kind.yaml", "want apiVersion fn.kfgitops.dev/v1alpha1, kind KgatewayRoute", nil},
		{"bad-value.yaml", `istioGateway "no-slash"`, nil},
		{"bridge.yaml", `runtimeRoutes.mode "bridge"`, nil},
		{"no-prefixes.yaml", "runtimeRoutes.prefixes: empty", nil},
		{"top-level-template.yaml", "runtimeRoutes.prefixes[0]", nil},
		{"missing.yaml", "no such file", nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s, err := config.Load(filepath.Join("testdata", tc.file))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !tc.check(s) {
					t.Errorf("settings %+v", s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestTenantPrefixes(t *testing.T) {
	got := config.TenantPrefixes([]string{"/notebook/{namespace}/", "/a/b/{namespace}/c/"}, "alice")
	want := []string{"/notebook/alice/", "/a/b/alice/c/"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
