package kgatewayroute_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/kit/krmio"
	"sigs.k8s.io/yaml"
)

// Invalid runtimeRoutes configs are errors naming the field.
func TestRuntimeRoutesValidation(t *testing.T) {
	for _, tc := range []struct{ config, field string }{
		{`{mode: sidecar}`, "runtimeRoutes.mode"},
		{`{prefixes: [/notebook/]}`, "runtimeRoutes.prefixes[0]"},
		{`{prefixes: ["notebook/{namespace}/"]}`, "runtimeRoutes.prefixes[0]"},
		{`{prefixes: ["/notebook/{namespace}"]}`, "runtimeRoutes.prefixes[0]"},
		{`{prefixes: ["/{namespace}/"]}`, "runtimeRoutes.prefixes[0]"},
		{`{prefixes: ["/a/{namespace}-x/"]}`, "runtimeRoutes.prefixes[0]"},
		{`{prefixes: ["/a/{namespace}/{name}/"]}`, "runtimeRoutes.prefixes[0]"},
		{`{prefixes: ["/a/{namespace}/{namespace}/"]}`, "runtimeRoutes.prefixes[0]"},
		{`{prefixes: ["/a/{namespace}/", "/a/{namespace}/"]}`, "runtimeRoutes.prefixes[1]"},
		{`{prefixes: ["/a/{namespace}/", "/a/b/{namespace}/"]}`, "runtimeRoutes.prefixes[1]"},
		{`{prefixes: ["/a//{namespace}/"]}`, "runtimeRoutes.prefixes[0]"},
		{`{profileNamespaceLabel: kubeflow-profile}`, "runtimeRoutes.profileNamespaceLabel"},
		{`{profileNamespaceLabel: "a b=c"}`, "runtimeRoutes.profileNamespaceLabel"},
		{`{waypoint: {name: Way_Point}}`, "runtimeRoutes.waypoint.name"},
		{`{waypoint: {name: waypoint, namespace: "-x"}}`, "runtimeRoutes.waypoint.namespace"},
		{`{controller: {replicas: -1}}`, "runtimeRoutes.controller.replicas"},
		{`{controller: {image: "a b"}}`, "runtimeRoutes.controller.image"},
		{`{controller: {resources: {limits: {gpu: "1"}}}}`, "runtimeRoutes.controller.resources.limits.gpu"},
		{`{controller: {resources: {requests: {memory: lots}}}}`, "runtimeRoutes.controller.resources.requests.memory"},
		{`{controller: {replica: 2}}`, "runtimeRoutes.controller.replica"},
		{`{mode: bridge, service: {namespace: istio-system, name: x, port: 0}}`, "runtimeRoutes.service"},
	} {
		t.Run(tc.config, func(t *testing.T) {
			_, err := kgatewayroute.DecodeConfig([]byte("apiVersion: fn.kfgitops.dev/v1alpha1\nkind: KgatewayRoute\nmetadata: {name: x}\nruntimeRoutes: " + tc.config + "\n"))
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %v, want one naming %s", err, tc.field)
			}
		})
	}
	long := "gateway: {namespace: kubeflow-system, name: " + strings.Repeat("g", 60) + "}"
	if _, err := kgatewayroute.DecodeConfig([]byte("apiVersion: fn.kfgitops.dev/v1alpha1\nkind: KgatewayRoute\nmetadata: {name: x}\n" + long + "\n")); err == nil || !strings.Contains(err.Error(), "route-admission label") {
		t.Errorf("a Gateway whose route-admission label is too long: error %v", err)
	}
}

// The config runtime-sync runs with is the resolved config of the run, and
// reads back with DecodeConfig as itself.
func TestRuntimeSyncConfigRoundTrip(t *testing.T) {
	out, stderr, code := krmio.Process(kgatewayroute.Function, golden.Input(t, "testdata/controller-mode"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc string
	for _, o := range items(t, out) {
		if o["kind"] == "ConfigMap" && str(o, "metadata", "name") == kgatewayroute.RuntimeSyncName {
			doc = str(o, "data", kgatewayroute.RuntimeSyncConfigKey)
		}
	}
	cfg, err := kgatewayroute.DecodeConfig([]byte(doc))
	if err != nil {
		t.Fatalf("runtime-sync config does not decode: %v\n%s", err, doc)
	}
	rr := cfg.RuntimeRoutes
	if rr.Mode != kgatewayroute.RuntimeController || rr.Controller.Image != kgatewayroute.RuntimeSyncImage+":v"+kgatewayroute.RuntimeSyncVersion || rr.Controller.Resources == nil {
		t.Errorf("runtimeRoutes not resolved: %+v", rr)
	}
	want := []string{"/notebook/{namespace}/", "/tensorboard/{namespace}/", "/pvcviewers/{namespace}/", "/serving/{namespace}/"}
	if !reflect.DeepEqual(rr.Prefixes, want) {
		t.Errorf("prefixes %v, want %v", rr.Prefixes, want)
	}
	again, err := kgatewayroute.EncodeConfig(cfg, kgatewayroute.RuntimeSyncName)
	if err != nil || again != doc {
		t.Errorf("re-encoded config differs (%v):\n%s\nwant\n%s", err, again, doc)
	}
}

// The image runtime-sync is deployed with is the one its metadata.yaml
// releases.
func TestRuntimeSyncVersion(t *testing.T) {
	b, err := os.ReadFile("../../../controllers/runtime-sync/metadata.yaml")
	if os.IsNotExist(err) {
		t.Skip("controllers/runtime-sync/metadata.yaml does not exist yet")
	}
	if err != nil {
		t.Fatal(err)
	}
	var md struct{ Image, Version string }
	if err := yaml.Unmarshal(b, &md); err != nil {
		t.Fatal(err)
	}
	if md.Image != kgatewayroute.RuntimeSyncImage || md.Version != kgatewayroute.RuntimeSyncVersion {
		t.Errorf("metadata.yaml releases %s:v%s, kgateway-route deploys %s:v%s", md.Image, md.Version, kgatewayroute.RuntimeSyncImage, kgatewayroute.RuntimeSyncVersion)
	}
}

// runtime-sync's RBAC grants no wildcard and nothing on Secrets, and
// writes only the kinds it owns objects of.
func TestRuntimeSyncRBAC(t *testing.T) {
	out, _, _ := krmio.Process(kgatewayroute.Function, golden.Input(t, "testdata/controller-mode"))
	writable := map[string]bool{"httproutes": true, "gateways": true, "trafficpolicies": true, "directresponses": true, "authorizationpolicies": true, "leases": true, "events": true}
	roles := 0
	for _, o := range items(t, out) {
		if (o["kind"] != "ClusterRole" && o["kind"] != "Role") || !strings.HasPrefix(str(o, "metadata", "name"), kgatewayroute.RuntimeSyncName) {
			continue
		}
		roles++
		for _, r := range list(o, "rules") {
			for _, field := range []string{"apiGroups", "resources", "verbs"} {
				for _, v := range list(r, field) {
					if v == "*" {
						t.Errorf("%s: wildcard in %s", id(o), field)
					}
				}
			}
			for _, res := range list(r, "resources") {
				if res == "secrets" {
					t.Errorf("%s: grants Secrets", id(o))
				}
				for _, v := range list(r, "verbs") {
					if v != "get" && v != "list" && v != "watch" && !writable[res.(string)] {
						t.Errorf("%s: %s on %s, which it does not write", id(o), v, res)
					}
				}
			}
		}
	}
	if roles != 2 {
		t.Errorf("%d runtime-sync roles, want the ClusterRole and the leader-election Role", roles)
	}
}
