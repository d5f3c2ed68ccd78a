package translators

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kfgitops/kfgitops/tests/translators/istio"
	"github.com/kfgitops/kfgitops/tests/translators/kgateway"
	"github.com/kfgitops/kfgitops/tests/translators/probes"
)

// defaultListenerPort is the HTTP port of both gateways when the Istio
// Gateway is not in the bundle (kgateway-route's default httpPort).
const defaultListenerPort = 80

// caseResult is what one input came to.
type caseResult struct {
	verdicts             []verdict
	routes, routesOK     int
	policies, policiesOK int
	auth                 *authCheck
	problems             []string // failures: each one fails the test
	kgatewaySkipped      string
	rejected             []string // VirtualServices Istio rejects, not compared
}

// summary is the input's summary line.
func (r caseResult) summary(name string) string {
	eq, rep := 0, 0
	for _, v := range r.verdicts {
		if v.equivalent() {
			eq++
		} else if v.reported {
			rep++
		}
	}
	s := fmt.Sprintf("%s: probes equivalent %d/%d", name, eq, len(r.verdicts))
	if rep > 0 {
		s += fmt.Sprintf(" (%d differ as kgateway-route reports or is configured to)", rep)
	}
	s += fmt.Sprintf(", routes accepted %d/%d, policies attached %d/%d", r.routesOK, r.routes, r.policiesOK, r.policies)
	if r.auth != nil {
		jwt := "optional"
		if r.auth.strict {
			jwt = "required"
		}
		s += fmt.Sprintf(", auth: ext_authz → %s then JWT (%s) ← %s, %d exempt and %d authenticated probes checked", r.auth.extAuthzTo, jwt, r.auth.jwksFrom, r.auth.exemptChecked, r.auth.authed)
	}
	if len(r.rejected) > 0 {
		s += fmt.Sprintf(", not compared (Istio rejects them): %s", strings.Join(r.rejected, "; "))
	}
	if r.kgatewaySkipped != "" {
		s += ", kgateway side skipped: " + r.kgatewaySkipped
	}
	return s
}

// runCase runs one input through the pipeline and both translators.
func runCase(t *testing.T, c inputCase) caseResult {
	var res caseResult
	gwRef := istioGatewayRef(c.fnConfig, c.items)
	items := c.items
	if c.partial {
		items = withDestinationServices(items, gwRef, "cluster.local")
	}
	out, results, err := runFunction(c.function, items, c.fnConfig)
	if err != nil {
		t.Fatal(err)
	}
	if c.partial {
		out = withBackendServices(out)
	}
	gw := kgatewayGateway(out)
	if gw == (types.NamespacedName{}) {
		res.kgatewaySkipped = "the output has no kgateway Gateway (createGateway: false, or nothing converted)"
		return res
	}
	kgw, kin, hcm, kgwRC := translateOutput(t, out, gw)
	checkReports(&res, kgw, kin, hcm)

	var bound []object
	for _, vs := range boundVirtualServices(items, gwRef) {
		accepted, rejected := istioAccepted(vs)
		res.rejected = append(res.rejected, rejected...)
		if accepted != nil {
			bound = append(bound, accepted)
		}
	}
	var ps []probes.Probe
	for _, vs := range bound {
		p, err := probes.FromVirtualService(vs)
		if err != nil {
			t.Fatalf("%s: %v", id(vs), err)
		}
		ps = append(ps, p...)
	}
	istioRC, err := istioRoutes(t, items, bound, gwRef)
	if err != nil {
		t.Fatal(err)
	}
	names := backendNames(append(slices.Clone(items), out...), "cluster.local")
	if res.verdicts, err = compareProbes(istioRC, kgwRC, ps, reportedDifferences(results), defaultTimeout(c.fnConfig), names); err != nil {
		t.Fatal(err)
	}
	for _, v := range res.verdicts {
		if !v.equivalent() && !v.reported {
			res.problems = append(res.problems, fmt.Sprintf("%s\n    Istio:    %s\n    kgateway: %s", v.probe, v.istio, v.kgateway))
		}
	}
	if slices.ContainsFunc(kin, func(o object) bool { return kind(o) == "GatewayExtension" }) {
		a := checkAuth(hcm, kgwRC, identityHeaders(kin), exemptPaths(items), jwtRequired(items), ps)
		res.auth = &a
		res.problems = append(res.problems, a.problems...)
	}
	if c.jwt != nil {
		res.problems = append(res.problems, checkJWTProvider(hcm, *c.jwt)...)
	}
	return res
}

// translateOutput runs kgateway's translator over what it reads of the
// pipeline's output (kgatewayInput, with the Secrets cert-manager would
// issue) for Gateway gw: the result, its input, and the HTTP listener's
// connection manager and route table.
func translateOutput(t *testing.T, out []object, gw types.NamespacedName) (*kgateway.Result, []object, *connectionManager, *routev3.RouteConfiguration) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "kgateway-input.yaml")
	secrets, err := issuedSecrets(out)
	if err != nil {
		t.Fatal(err)
	}
	kin := kgatewayInput(append(out, secrets...))
	if err := writeObjects(file, kin); err != nil {
		t.Fatal(err)
	}
	kgw, err := translateSynced(t, file, gw, kin)
	if err != nil {
		t.Fatal(err)
	}
	hcm, rc, err := httpListener(kgw, kgatewayHTTPPort(out))
	if err != nil {
		t.Fatal(err)
	}
	return kgw, kin, hcm, rc
}

// kgatewayGateway is the kgateway Gateway of the output.
func kgatewayGateway(out []object) types.NamespacedName {
	for _, o := range out {
		if isKind(o, "gateway.networking.k8s.io", "Gateway") && spec(o)["gatewayClassName"] == "kgateway" {
			ns, name := meta(o)
			return types.NamespacedName{Namespace: ns, Name: name}
		}
	}
	return types.NamespacedName{}
}

// httpListener is kgateway's listener on the HTTP port: its connection
// manager and the route table it serves.
func httpListener(r *kgateway.Result, port uint32) (*connectionManager, *routev3.RouteConfiguration, error) {
	for _, l := range r.Listeners {
		if l.GetAddress().GetSocketAddress().GetPortValue() != port {
			continue
		}
		hcm, err := connectionManagerOf(l)
		if err != nil {
			return nil, nil, err
		}
		for _, rc := range r.Routes {
			if rc.GetName() == hcm.RDS.RouteConfigName {
				return hcm, rc, nil
			}
		}
		return nil, nil, fmt.Errorf("kgateway listener %s serves route table %q, which it did not generate", l.GetName(), hcm.RDS.RouteConfigName)
	}
	return nil, nil, fmt.Errorf("kgateway generated no listener on port %d", port)
}

// istioRoutes is Istio's route table for the input's Istio Gateway.
func istioRoutes(t *testing.T, items, bound []object, gwRef string) (*routev3.RouteConfiguration, error) {
	gw, err := findIstioGateway(items, gwRef)
	if err != nil {
		// The golden cases bind to Kubeflow's Gateway without containing it.
		objs, ferr := readFileObjects(filepath.Join("testdata", "istio-gateway.yaml"))
		if ferr != nil {
			return nil, ferr
		}
		gw = objs[0]
		gwNS, gwName, _ := strings.Cut(gwRef, "/")
		gw["metadata"] = map[string]any{"namespace": gwNS, "name": gwName}
	}
	svcs, err := services(items)
	if err != nil {
		return nil, err
	}
	return istio.Routes(t, istio.Input{Gateway: gw, VirtualServices: bound, Services: svcs}, int(istioHTTPPort(gw)))
}

// identityHeaders are the headers the JWT check writes (the GatewayExtension's
// claim headers), which a client must not be able to send.
func identityHeaders(kin []object) []string {
	var out []string
	for _, o := range kin {
		if kind(o) != "GatewayExtension" {
			continue
		}
		for _, p := range list(mapOf(spec(o)["jwt"])["providers"]) {
			for _, c := range list(mapOf(p)["claimsToHeaders"]) {
				if h, ok := mapOf(c)["header"].(string); ok && !slices.Contains(out, strings.ToLower(h)) {
					out = append(out, strings.ToLower(h))
				}
			}
		}
	}
	return out
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// istioAccepted is vs as Istio's validation (its admission webhook) admits
// it: whole, or else with only the http rules Istio accepts one by one
// (a golden case feeds kgateway-route rules Istio rejects on purpose), or
// nil; rejected says what was left out and why.
func istioAccepted(vs object) (object, []string) {
	err := istio.Validate(vs)
	if err == nil {
		return vs, nil
	}
	rules := list(spec(vs)["http"])
	if len(rules) < 2 {
		return nil, []string{fmt.Sprintf("%s (%v)", id(vs), oneLine(err))}
	}
	var kept []any
	var rejected []string
	for i, r := range rules {
		one := deepCopy(vs)
		spec(one)["http"] = []any{r}
		if err := istio.Validate(one); err != nil {
			rejected = append(rejected, fmt.Sprintf("%s spec.http[%d] (%v)", id(vs), i, oneLine(err)))
			continue
		}
		kept = append(kept, r)
	}
	if len(kept) == 0 {
		return nil, rejected
	}
	out := deepCopy(vs)
	spec(out)["http"] = kept
	return out, rejected
}

// translateSynced runs kgateway's translator, again (up to three times in
// all) when a route is refused by a listener's namespace selector: the
// harness waits for kgateway's route and policy collections but not for its
// Namespace collection, so a translation can see the routes before the
// namespaces their listeners select (the same input is admitted on another
// run). A refusal that persists is reported as it is.
func translateSynced(t *testing.T, file string, gw types.NamespacedName, kin []object) (*kgateway.Result, error) {
	var r *kgateway.Result
	for attempt := 1; attempt <= 3; attempt++ {
		var err error
		if r, err = kgateway.Translate(t, file, gw); err != nil {
			return nil, err
		}
		refused := slices.ContainsFunc(kin, func(o object) bool {
			ns, name := meta(o)
			return isKind(o, "gateway.networking.k8s.io", "HTTPRoute") && strings.Contains(r.RouteProblem(ns, name), "NotAllowedByListeners")
		})
		if !refused {
			break
		}
		t.Logf("kgateway translation %d: a route was refused by a listener's namespace selector; translating again", attempt)
	}
	return r, nil
}

// kgatewayHTTPPort is the port of the output Gateway's first HTTP listener.
func kgatewayHTTPPort(out []object) uint32 {
	for _, o := range out {
		if isKind(o, "gateway.networking.k8s.io", "Gateway") && spec(o)["gatewayClassName"] == "kgateway" {
			for _, l := range list(spec(o)["listeners"]) {
				if p, ok := mapOf(l)["port"].(float64); ok && mapOf(l)["protocol"] == "HTTP" {
					return uint32(p)
				}
			}
		}
	}
	return defaultListenerPort
}

// istioHTTPPort is the port of the Istio Gateway's first HTTP server.
func istioHTTPPort(gw object) uint32 {
	for _, s := range list(spec(gw)["servers"]) {
		port := mapOf(mapOf(s)["port"])
		if p, ok := port["number"].(float64); ok && strings.EqualFold(fmt.Sprint(port["protocol"]), "HTTP") {
			return uint32(p)
		}
	}
	return defaultListenerPort
}
