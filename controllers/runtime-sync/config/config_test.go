package config_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/controllers/runtime-sync/config"
)

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		file    string
		wantErr string // "" means it loads
	}{
		{"defaults.yaml", ""},
		{"unknown-field.yaml", `istioGatways`},
		{"wrong-kind.yaml", "want apiVersion fn.kfgitops.dev/v1alpha1, kind KgatewayRoute"},
		{"bad-value.yaml", `istioGateway "no-slash"`},
		{"missing.yaml", "no such file"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s, err := config.Load(filepath.Join("testdata", tc.file))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if s.Route.IstioGateway != "kubeflow/kubeflow-gateway" || s.Route.Gateway.Name != "kubeflow-gateway" ||
					!slices.Equal(s.Prefixes, config.DefaultPrefixes) || s.ProfileLabel != config.DefaultProfileLabel {
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

func TestValidatePrefixTemplate(t *testing.T) {
	for _, tc := range []struct {
		template string
		ok       bool
	}{
		{"/notebook/{namespace}/", true},
		{"/a/b/{namespace}/c/", true},
		{"/{namespace}/", false},
		{"/{namespace}/x/", false},
		{"/notebook/", false},
		{"/notebook/{namespace}", false},
		{"notebook/{namespace}/", false},
		{"/notebook/x{namespace}/", false},
		{"/notebook/{namespace}/{namespace}/", false},
		{"/notebook/../{namespace}/", false},
		{"/notebook//{namespace}/", false},
	} {
		err := config.ValidatePrefixTemplate(tc.template)
		if (err == nil) != tc.ok {
			t.Errorf("%s: error %v, want ok=%v", tc.template, err, tc.ok)
		}
	}
}

func TestTenantPrefixes(t *testing.T) {
	got := config.TenantPrefixes(config.DefaultPrefixes, "alice")
	want := []string{"/notebook/alice/", "/tensorboard/alice/", "/pvcviewers/alice/", "/serving/alice/"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
