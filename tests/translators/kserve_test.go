package translators

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kfgitops/kfgitops/tests/translators/envoyroute"
	"github.com/kfgitops/kfgitops/tests/translators/probes"
)

// kserveSample is the sample: two InferenceServices in profile namespace
// alice and the predictor Services and HTTPRoutes KServe writes for them.
const kserveSample = "tests/testdata/kserve-inferenceservices.yaml"

// kserveRequest is one request to a sample InferenceService's URL and the
// InferenceService whose predictor kgateway sends it to.
type kserveRequest struct {
	host, path string
	isvc       string
}

// kserveRequests are, per InferenceService, the three URLs KServe
// publishes: the predictor host, the top-level host, and the path under the
// ingress domain. The host URLs reach their own predictor. The path URLs do
// not: every top-level route also carries the ingress domain as a hostname
// with a catch-all rule (RegularExpression ^/.*$), which Gateway API ranks
// no higher than another route's /serving/<ns>/<name>/ regex, so on that
// host the route that wins the tie (the oldest; among equals, the first by
// namespace and name) takes every path, the other InferenceServices' paths
// included; and the path reaches the model server as sent (no rewrite).
// docs/guides/serving.md gives the consequences.
func kserveRequests(ns string, isvcs []string) []kserveRequest {
	var out []kserveRequest
	for _, n := range isvcs {
		predict := "/v1/models/" + n + ":predict"
		out = append(out,
			kserveRequest{host: n + "-predictor-" + ns + ".example.com", path: predict, isvc: n},
			kserveRequest{host: n + "-" + ns + ".example.com", path: predict, isvc: n},
			kserveRequest{host: "example.com", path: "/serving/" + ns + "/" + n + predict, isvc: isvcs[0]},
		)
	}
	return append(out, kserveRequest{host: "example.com", path: "/", isvc: isvcs[0]})
}

// TestKServeRoutes puts the HTTPRoutes KServe v0.16.0 writes for the sample
// InferenceServices beside the chain's output of each corpus render and
// runs kgateway's translator: the output's inferenceservice-config must be
// Standard mode on the output's Gateway (and yield exactly the sample's
// routes), the profile namespace labelled from the output's namespace-labels
// file must be admitted, every route accepted with its references
// resolved, each published URL routed to its predictor Service with
// KServe's headers, its timeout and its path as sent, behind the Gateway's
// auth filters (identity headers stripped, ext_authz then a Strict JWT),
// and the platform's own routes on other hosts undisturbed; on the ingress
// domain's own host, the first InferenceService takes every path
// (kserveRequests).
func TestKServeRoutes(t *testing.T) {
	dir := corpusDir()
	if dir == "" {
		if os.Getenv("KFGITOPS_REQUIRE_CORPUS") == "1" {
			t.Fatal("corpus not found and KFGITOPS_REQUIRE_CORPUS is 1")
		}
		t.Skip("corpus not found (../shared/corpus or $KFGITOPS_CORPUS)")
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	sample, err := readFileObjects(filepath.Join(root, kserveSample))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range corpusRenders {
		t.Run(f, func(t *testing.T) {
			items, err := readFileObjects(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			out, _, err := runFunction("kubeflow-gitops", items, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkKServe(t, items, out, sample)
		})
	}
}

func checkKServe(t *testing.T, items, out, sample []object) {
	gw := kgatewayGateway(out)
	cfg, err := kserveConfigOf(out)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Deploy.DefaultDeploymentMode != "Standard" || !cfg.Ingress.EnableGatewayAPI || cfg.Ingress.KserveIngressGateway != gw.String() {
		t.Fatalf("inferenceservice-config: defaultDeploymentMode %q, enableGatewayApi %v, kserveIngressGateway %q; want Standard, true, %s",
			cfg.Deploy.DefaultDeploymentMode, cfg.Ingress.EnableGatewayAPI, cfg.Ingress.KserveIngressGateway, gw)
	}
	world := append([]object(nil), out...)
	var isvcs, routes []string
	for _, o := range sample {
		ns, name := meta(o)
		switch {
		case kind(o) == "InferenceService":
			isvcs = append(isvcs, name)
		case kind(o) == "HTTPRoute":
			routes = append(routes, ns+"/"+name)
			for _, p := range kserveRouteProblems(o, cfg) {
				t.Error(p)
			}
			world = append(world, o)
		case kind(o) == "Service":
			world = append(world, o)
		}
	}
	ns, err := profileNamespace(out, "alice")
	if err != nil {
		t.Fatal(err)
	}
	world = append(world, ns)
	kgw, kin, hcm, rc := translateOutput(t, world, gw)
	for _, r := range routes {
		rns, name, _ := strings.Cut(r, "/")
		if p := kgw.RouteProblem(rns, name); p != "" {
			t.Errorf("HTTPRoute %s: %s", r, p)
		}
	}
	var ps []probes.Probe
	for _, req := range kserveRequests("alice", isvcs) {
		r := envoyroute.Request{Host: req.host, Path: req.path}
		ps = append(ps, probes.Probe{Request: r, Source: "KServe sample", Kind: "kserve"})
		o, err := envoyroute.Evaluate(rc, r)
		if err != nil {
			t.Fatal(err)
		}
		if p := kserveOutcomeProblem(o, req); p != "" {
			t.Errorf("%s%s: %s", req.host, req.path, p)
		}
	}
	// The platform's own routes (hostless, on every other host) are not
	// taken over by KServe's.
	if o, err := envoyroute.Evaluate(rc, envoyroute.Request{Host: probes.AnyHost, Path: "/"}); err != nil || o.Route == nil || len(o.Clusters) != 1 || service(o.Clusters[0].Name) != "kubeflow/centraldashboard:80" {
		t.Errorf("%s/: want the central dashboard, got %v (%v)", probes.AnyHost, describeOutcome(o), err)
	}
	a := checkAuth(hcm, rc, identityHeaders(kin), exemptPaths(items), jwtRequired(items), ps)
	for _, p := range a.problems {
		t.Error(p)
	}
	t.Logf("KServe routes accepted %d/%d on %s; %d requests routed as KServe's routes say (path URLs: all to %s, unstripped); auth: ext_authz → %s then JWT ← %s on all %d",
		len(routes), len(routes), gw, len(ps), isvcs[0], a.extAuthzTo, a.jwksFrom, a.authed)
}

// kserveOutcomeProblem: the request reaches exactly the InferenceService's
// predictor Service, port 80, with the path as sent (KServe writes no
// rewrite), KServe's two headers and its 60s timeout.
func kserveOutcomeProblem(o *envoyroute.Outcome, req kserveRequest) string {
	want := "alice/" + req.isvc + "-predictor:80"
	switch {
	case o.Route == nil || len(o.Clusters) != 1 || service(o.Clusters[0].Name) != want:
		return fmt.Sprintf("want %s, got %s", want, describeOutcome(o))
	case o.Path != req.path:
		return fmt.Sprintf("upstream path %s, want %s as sent", o.Path, req.path)
	case o.Headers["kserve-isvc-name"] != req.isvc || o.Headers["kserve-isvc-namespace"] != "alice":
		return fmt.Sprintf("headers %v, want KServe-Isvc-Name %s and KServe-Isvc-Namespace alice", o.Headers, req.isvc)
	case o.Timeout != 60*time.Second:
		return fmt.Sprintf("timeout %s, want 60s", o.Timeout)
	}
	return ""
}

func describeOutcome(o *envoyroute.Outcome) string {
	if o == nil {
		return "nothing"
	}
	return describe(o, service)
}
