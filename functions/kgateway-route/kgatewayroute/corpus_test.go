package kgatewayroute_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kfgitops/kfgitops/functions/kgateway-route/kgatewayroute"
	"github.com/kfgitops/kfgitops/kit/corpus"
	"github.com/kfgitops/kfgitops/kit/golden"
	"github.com/kfgitops/kfgitops/kit/krmio"
)

// On the real platform renders, with defaults: every request a converted
// VirtualService route serves reaches the same Service port, with the same
// rewritten path, added headers, timeout and authentication, under Gateway
// API precedence over all the emitted HTTPRoutes as under Istio's
// first-match order; every emitted object validates against its CRD; the
// output is deterministic and idempotent. The models of both sides are
// written here, from the objects, independently of the function's code.
func TestCorpus(t *testing.T) {
	for _, file := range []string{corpus.Master, corpus.Release} {
		t.Run(file, func(t *testing.T) {
			in := corpus.ResourceList(t, file)
			start := time.Now()
			out, stderr, code := krmio.Process(kgatewayroute.Function, in)
			t.Logf("processed %d bytes in %v", len(in), time.Since(start))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			again, _, _ := krmio.Process(kgatewayroute.Function, in)
			if !bytes.Equal(out, again) {
				t.Fatal("output is not byte-deterministic")
			}
			golden.AssertIdempotent(t, kgatewayroute.Function, out)
			if n := validateOutput(t, out); n == 0 {
				t.Error("no Gateway API or kgateway object emitted")
			}

			before, after := items(t, in), items(t, out)
			checkEquivalence(t, before, after)
			for _, o := range after {
				if o["kind"] == "VirtualService" && boundTo(o, "kubeflow/kubeflow-gateway") {
					t.Errorf("%s: converted VirtualService left in the output", id(o))
				}
			}
			checkGatewayAndAuth(t, after)
		})
	}
}

// checkEquivalence checks that every request of every route of every
// VirtualService bound to the Kubeflow gateway gets the same outcome from
// the HTTPRoutes on the kgateway Gateway.
func checkEquivalence(t *testing.T, before, after []obj) {
	t.Helper()
	routes := istioRoutes(before, "kubeflow/kubeflow-gateway")
	if len(routes) == 0 {
		t.Fatal("no VirtualService bound to kubeflow/kubeflow-gateway")
	}
	gw := gatewayModel(after, "kubeflow-system", "kubeflow-gateway")
	istioAuth := istioExtAuth(before)
	checked := 0
	for _, vs := range routes {
		for _, req := range vs.requests() {
			want, ok := vs.serve(req)
			if !ok {
				continue
			}
			want.auth = istioAuth(req)
			got, how := gw.serve(req)
			checked++
			if got != want {
				t.Errorf("%s: %s\n  Istio:       %+v\n  Gateway API: %+v (%s)", vs.id, req, want, got, how)
			}
		}
	}
	t.Logf("%d VirtualServices, %d requests checked", len(routes), checked)
}

// The same equivalence on the golden cases, except for the requests of
// routes whose deviation the function reports as a warning (a sub-ms
// timeout; a rule mixing auth-exempt and authenticated paths).
func TestGoldenEquivalence(t *testing.T) {
	reported := map[string]string{"headers-timeout-retries": "/n/", "existing-gateway": "/oauth2/"}
	for _, c := range []string{"kubeflow-defaults", "gateway-refs", "rewrites", "headers-timeout-retries", "existing-gateway"} {
		t.Run(c, func(t *testing.T) {
			out, err := os.ReadFile(filepath.Join("testdata", c, "_expected.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			gwNS, gwName := "kubeflow-system", "kubeflow-gateway"
			after := items(t, out)
			if c == "existing-gateway" {
				gwNS, gwName = "gateways", "shared"
			}
			before := items(t, golden.Input(t, filepath.Join("testdata", c)))
			routes := istioRoutes(before, "kubeflow/kubeflow-gateway")
			gw := gatewayModel(after, gwNS, gwName)
			istioAuth := istioExtAuth(before)
			for _, vs := range routes {
				for _, req := range vs.requests() {
					want, ok := vs.serve(req)
					if !ok || reported[c] != "" && strings.HasPrefix(req, reported[c]) {
						continue
					}
					want.auth = istioAuth(req)
					if got, how := gw.serve(req); got != want {
						t.Errorf("%s: %s\n  Istio:       %+v\n  Gateway API: %+v (%s)", vs.id, req, want, got, how)
					}
				}
			}
		})
	}
}

// outcome is what a request turns into.
type outcome struct {
	backend string // ns/name:port
	path    string // path after rewrites
	headers string // request headers added or set, sorted
	timeout time.Duration
	auth    bool // ext-authz runs
}

// --- Istio side ---

type istioVS struct {
	id     string
	ns     string
	routes []obj
}

func boundTo(o obj, gateway string) bool {
	ns := str(o, "metadata", "namespace")
	for _, g := range list(o, "spec", "gateways") {
		s, _ := g.(string)
		if !strings.Contains(s, "/") {
			s = ns + "/" + s
		}
		if s == gateway {
			return true
		}
	}
	return false
}

func istioRoutes(objs []obj, gateway string) []istioVS {
	var out []istioVS
	for _, o := range objs {
		if o["kind"] != "VirtualService" || !strings.HasPrefix(str(o, "apiVersion"), "networking.istio.io/") || !boundTo(o, gateway) {
			continue
		}
		vs := istioVS{id: id(o), ns: str(o, "metadata", "namespace")}
		for _, r := range list(o, "spec", "http") {
			vs.routes = append(vs.routes, r.(obj))
		}
		out = append(out, vs)
	}
	return out
}

// requests are representative paths for every uri match of every route:
// the prefix, a deeper path, and for a prefix without a trailing slash the
// gRPC-web form prefix.Service/Method.
func (vs istioVS) requests() []string {
	var out []string
	for _, r := range vs.routes {
		for _, m := range list(r, "match") {
			if p, ok := get(m, "uri", "prefix").(string); ok {
				if p == "" {
					p = "/"
				}
				out = append(out, p)
				if strings.HasSuffix(p, "/") {
					out = append(out, p+"deep/path")
				} else {
					out = append(out, p+"/deep/path", p+".Service/Method")
				}
			}
			if e, ok := get(m, "uri", "exact").(string); ok {
				out = append(out, e)
			}
		}
	}
	return out
}

// serve is Istio's first-match over the VirtualService's routes.
func (vs istioVS) serve(path string) (outcome, bool) {
	for _, r := range vs.routes {
		matches := list(r, "match")
		if len(matches) == 0 {
			matches = []any{obj{}}
		}
		for _, m := range matches {
			if get(m, "headers") != nil || get(m, "method") != nil || get(m, "queryParams") != nil {
				continue // requests carry no headers
			}
			prefix, rest, ok := istioURIMatch(m, path)
			if !ok {
				continue
			}
			var o outcome
			d := get(r, "route", 0, "destination")
			host := str(d, "host")
			name, ns := host, vs.ns
			if parts := strings.Split(host, "."); len(parts) > 2 {
				name, ns = parts[0], parts[1]
			}
			o.backend = fmt.Sprintf("%s/%s:%v", ns, name, get(d, "port", "number"))
			o.path = path
			if rr := get(r, "rewrite", "uriRegexRewrite"); rr != nil {
				re := regexp.MustCompile(str(rr, "match"))
				o.path = re.ReplaceAllString(path, envoySubstitution(str(rr, "rewrite")))
			}
			if uri, ok := get(r, "rewrite", "uri").(string); ok {
				if prefix {
					o.path = uri + rest
				} else {
					o.path = uri
				}
			}
			hs := map[string]string{}
			for _, op := range []string{"add", "set"} {
				ops, _ := get(r, "headers", "request", op).(obj)
				for k, v := range ops {
					hs[k] = fmt.Sprint(v)
				}
			}
			o.headers = joinHeaders(hs)
			if t := str(r, "timeout"); t != "" {
				o.timeout, _ = time.ParseDuration(t)
			}
			return o, true
		}
	}
	return outcome{}, false
}

// istioURIMatch: prefix is a string prefix, exact is equality, regex a
// full match; rest is what follows a matched prefix.
func istioURIMatch(m any, path string) (prefix bool, rest string, ok bool) {
	u := get(m, "uri")
	if u == nil {
		return true, strings.TrimPrefix(path, "/"), true
	}
	if p, isPrefix := get(u, "prefix").(string); isPrefix {
		return true, strings.TrimPrefix(path, p), strings.HasPrefix(path, p)
	}
	if e, isExact := get(u, "exact").(string); isExact {
		return false, "", path == e
	}
	if re, isRegex := get(u, "regex").(string); isRegex {
		return false, "", regexp.MustCompile("^(?:" + re + ")$").MatchString(path)
	}
	return false, "", false
}

// istioExtAuth: the CUSTOM policy on the ingress runs for every path but its
// notPaths (requests here carry no Authorization header).
func istioExtAuth(objs []obj) func(path string) bool {
	var custom obj
	for _, o := range objs {
		if o["kind"] == "AuthorizationPolicy" && str(o, "spec", "action") == "CUSTOM" &&
			str(o, "spec", "selector", "matchLabels", "app") == "istio-ingressgateway" {
			custom = o
		}
	}
	return func(path string) bool {
		if custom == nil {
			return false
		}
		for _, r := range list(custom, "spec", "rules") {
			for _, to := range list(r, "to") {
				for _, np := range list(to, "operation", "notPaths") {
					g := np.(string)
					if p, wild := strings.CutSuffix(g, "*"); wild && strings.HasPrefix(path, strings.TrimRight(p, "*")) || path == g {
						return false
					}
				}
			}
		}
		return true
	}
}

func joinHeaders(hs map[string]string) string {
	var parts []string
	for k, v := range hs {
		parts = append(parts, strings.ToLower(k)+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// --- Gateway API side ---

type gwMatch struct {
	route     obj
	ns, name  string
	rule      int
	match     int
	pathType  string
	pathValue string
}

type gwModel struct {
	matches []gwMatch
	// policies by namespace/route/section ("" = whole route)
	extAuthOff map[string]bool
	pathRegex  map[string][2]string
	extAuthOn  bool
}

func gatewayModel(objs []obj, gwNS, gwName string) *gwModel {
	g := &gwModel{extAuthOff: map[string]bool{}, pathRegex: map[string][2]string{}}
	for _, o := range objs {
		ns := str(o, "metadata", "namespace")
		switch {
		case o["kind"] == "HTTPRoute":
			attached := false
			for _, p := range list(o, "spec", "parentRefs") {
				pns := str(p, "namespace")
				if pns == "" {
					pns = ns
				}
				attached = attached || str(p, "name") == gwName && pns == gwNS
			}
			if !attached {
				continue
			}
			for ri, r := range list(o, "spec", "rules") {
				ms := list(r, "matches")
				if len(ms) == 0 {
					ms = []any{obj{"path": obj{"type": "PathPrefix", "value": "/"}}}
				}
				for mi, m := range ms {
					if get(m, "headers") != nil || get(m, "method") != nil || get(m, "queryParams") != nil {
						continue
					}
					pt, pv := str(m, "path", "type"), str(m, "path", "value")
					if pt == "" {
						pt, pv = "PathPrefix", "/"
					}
					g.matches = append(g.matches, gwMatch{o, ns, str(o, "metadata", "name"), ri, mi, pt, pv})
				}
			}
		case o["kind"] == "TrafficPolicy":
			for _, ref := range list(o, "spec", "targetRefs") {
				key := ns + "/" + str(ref, "name") + "/" + str(ref, "sectionName")
				switch str(ref, "kind") {
				case "HTTPRoute":
					if get(o, "spec", "extAuth", "disable") != nil {
						g.extAuthOff[key] = true
					}
					if pr := get(o, "spec", "urlRewrite", "pathRegex"); pr != nil {
						g.pathRegex[key] = [2]string{str(pr, "pattern"), str(pr, "substitution")}
					}
				case "Gateway":
					if ns == gwNS && str(ref, "name") == gwName && get(o, "spec", "extAuth", "extensionRef") != nil {
						g.extAuthOn = true
					}
				}
			}
		}
	}
	return g
}

func gwPathMatches(t, v, path string) bool {
	switch t {
	case "Exact":
		return path == v
	case "RegularExpression":
		return regexp.MustCompile("^(?:" + v + ")$").MatchString(path)
	}
	v = strings.TrimSuffix(v, "/")
	return v == "" || path == v || strings.HasPrefix(path, v+"/")
}

// rank: Exact, then RegularExpression (kgateway v2.4.0 ranks it above every
// prefix; the spec leaves it to the implementation), then the PathPrefix
// with most characters; ties by namespace/name, then rule and match order.
func rank(m gwMatch) (int, int) {
	switch m.pathType {
	case "Exact":
		return 3, 0
	case "RegularExpression":
		return 2, 0
	}
	return 1, len(m.pathValue)
}

func (g *gwModel) serve(path string) (outcome, string) {
	var cands []gwMatch
	for _, m := range g.matches {
		if gwPathMatches(m.pathType, m.pathValue, path) {
			cands = append(cands, m)
		}
	}
	if len(cands) == 0 {
		return outcome{}, "no match"
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a1, a2 := rank(cands[i])
		b1, b2 := rank(cands[j])
		if a1 != b1 {
			return a1 > b1
		}
		if a2 != b2 {
			return a2 > b2
		}
		if cands[i].ns+"/"+cands[i].name != cands[j].ns+"/"+cands[j].name {
			return cands[i].ns+"/"+cands[i].name < cands[j].ns+"/"+cands[j].name
		}
		if cands[i].rule != cands[j].rule {
			return cands[i].rule < cands[j].rule
		}
		return cands[i].match < cands[j].match
	})
	w := cands[0]
	r := get(w.route, "spec", "rules", w.rule)
	var o outcome
	b := get(r, "backendRefs", 0)
	bns := str(b, "namespace")
	if bns == "" {
		bns = w.ns
	}
	o.backend = fmt.Sprintf("%s/%s:%v", bns, str(b, "name"), get(b, "port"))
	o.path = path
	hs := map[string]string{}
	for _, f := range list(r, "filters") {
		switch str(f, "type") {
		case "URLRewrite":
			if rp, ok := get(f, "urlRewrite", "path", "replacePrefixMatch").(string); ok {
				o.path = replacePrefix(strings.TrimSuffix(w.pathValue, "/"), rp, path)
			}
			if fp, ok := get(f, "urlRewrite", "path", "replaceFullPath").(string); ok {
				o.path = fp
			}
		case "RequestHeaderModifier":
			for _, op := range []string{"add", "set"} {
				for _, h := range list(f, "requestHeaderModifier", op) {
					hs[str(h, "name")] = str(h, "value")
				}
			}
		}
	}
	section := str(r, "name")
	for _, key := range []string{w.ns + "/" + w.name + "/" + section, w.ns + "/" + w.name + "/"} {
		if pr, ok := g.pathRegex[key]; ok {
			o.path = regexp.MustCompile(pr[0]).ReplaceAllString(path, envoySubstitution(pr[1]))
		}
	}
	o.headers = joinHeaders(hs)
	if t := str(r, "timeouts", "request"); t != "" {
		o.timeout, _ = time.ParseDuration(t)
	} else {
		o.timeout = 15 * time.Second // kgateway's default
	}
	o.auth = g.extAuthOn && !g.extAuthOff[w.ns+"/"+w.name+"/"] && !g.extAuthOff[w.ns+"/"+w.name+"/"+section]
	return o, fmt.Sprintf("HTTPRoute %s/%s rule %d match %d %s %s", w.ns, w.name, w.rule, w.match, w.pathType, w.pathValue)
}

// replacePrefix is Gateway API's ReplacePrefixMatch: the matched path
// segments are replaced, the rest kept.
func replacePrefix(prefix, replacement, path string) string {
	rest := strings.TrimPrefix(path, prefix)
	if rest == "" {
		return replacement
	}
	if replacement == "/" {
		return rest
	}
	return strings.TrimSuffix(replacement, "/") + rest
}

// checkGatewayAndAuth: the Gateway admits every namespace with a route on
// it (by the route-admission label on its Namespace) and profile namespaces
// (the label is in the profile controller's namespace-labels file); the
// listener strips the identity headers and allows websockets; the JWT
// provider maps the claims to Kubeflow's headers; runtime-sync is deployed
// with the tenant prefixes the controllers use, and the Istio ingress
// gateway is gone.
func checkGatewayAndAuth(t *testing.T, objs []obj) {
	t.Helper()
	var gateway, listenerPolicy obj
	namespaceLabels := map[string]obj{}
	routeNamespaces := map[string]bool{}
	claims := map[string]string{}
	runtimeConfig, profileLabels := "", ""
	for _, o := range objs {
		ns, name := str(o, "metadata", "namespace"), str(o, "metadata", "name")
		switch {
		case o["kind"] == "Gateway" && str(o, "apiVersion") == "gateway.networking.k8s.io/v1":
			gateway = o
		case o["kind"] == "Namespace":
			labels, _ := get(o, "metadata", "labels").(obj)
			namespaceLabels[name] = labels
		case o["kind"] == "ListenerPolicy":
			listenerPolicy = o
		case o["kind"] == "HTTPRoute":
			routeNamespaces[ns] = true
			for _, r := range list(o, "spec", "rules") {
				if str(r, "backendRefs", 0, "name") == "istio-ingressgateway" {
					t.Errorf("%s: routes to the Istio ingress gateway", id(o))
				}
			}
		case o["kind"] == "GatewayExtension":
			for _, p := range list(o, "spec", "jwt", "providers") {
				for _, c := range list(p, "claimsToHeaders") {
					claims[str(c, "name")] = str(c, "header")
				}
			}
		case o["kind"] == "ConfigMap" && ns == "kubeflow-system" && name == kgatewayroute.RuntimeSyncName:
			runtimeConfig = str(o, "data", kgatewayroute.RuntimeSyncConfigKey)
		case o["kind"] == "ConfigMap" && ns == "kubeflow" && strings.HasPrefix(name, "namespace-labels-data"):
			profileLabels = str(o, "data", "namespace-labels.yaml")
		case o["kind"] == "Deployment" && ns == "istio-system" && name == "istio-ingressgateway":
			t.Errorf("%s: the Istio ingress gateway is kept", id(o))
		}
	}
	if gateway == nil || str(gateway, "spec", "gatewayClassName") != "kgateway" {
		t.Fatal("no kgateway Gateway emitted")
	}
	const label = "gateway.kfgitops.dev/kubeflow-system.kubeflow-gateway"
	for _, l := range list(gateway, "spec", "listeners") {
		if got := fmt.Sprint(get(l, "allowedRoutes", "namespaces")); got != "map[from:Selector selector:map[matchLabels:map["+label+":routes]]]" {
			t.Errorf("listener %s admits %s, want the namespaces labelled %s=routes", str(l, "name"), got, label)
		}
	}
	for ns := range routeNamespaces {
		if namespaceLabels[ns][label] != "routes" {
			t.Errorf("Namespace %s holds HTTPRoutes but is not labelled %s=routes (labels %v)", ns, label, namespaceLabels[ns])
		}
	}
	if !strings.Contains(profileLabels, label+": routes") {
		t.Errorf("the namespace-labels file does not admit profile namespaces:\n%s", profileLabels)
	}
	removed := fmt.Sprint(list(listenerPolicy, "spec", "default", "httpSettings", "earlyRequestHeaderModifier", "remove"))
	for _, h := range []string{"kubeflow-userid", "kubeflow-groups"} {
		if !strings.Contains(removed, h) {
			t.Errorf("ListenerPolicy does not strip client-supplied %s (removes %s)", h, removed)
		}
	}
	if fmt.Sprint(list(listenerPolicy, "spec", "default", "httpSettings", "upgradeConfig", "enabledUpgrades")) != "[websocket]" {
		t.Error("ListenerPolicy does not enable websocket upgrades")
	}
	if claims["email"] != "kubeflow-userid" || claims["groups"] != "kubeflow-groups" {
		t.Errorf("JWT claims to headers = %v, want email→kubeflow-userid, groups→kubeflow-groups", claims)
	}
	cfg, err := kgatewayroute.DecodeConfig([]byte(runtimeConfig))
	if err != nil {
		t.Fatalf("runtime-sync config: %v\n%s", err, runtimeConfig)
	}
	if got := fmt.Sprint(cfg.RuntimeRoutes.Prefixes); got != "[/notebook/{namespace}/ /tensorboard/{namespace}/ /pvcviewers/{namespace}/ /serving/{namespace}/]" {
		t.Errorf("runtime-sync tenant prefixes %s, want the controllers' (the Volumes web app's basePrefix /pvcviewers)", got)
	}
}

// envoySubstitution turns Envoy's \1 group references into Go's ${1}.
func envoySubstitution(s string) string {
	return regexp.MustCompile(`\\(\d)`).ReplaceAllString(s, "$${$1}")
}
