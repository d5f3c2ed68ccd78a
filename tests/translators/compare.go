package translators

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"

	"github.com/kfgitops/kfgitops/tests/translators/envoyroute"
	"github.com/kfgitops/kfgitops/tests/translators/probes"
)

var (
	// Istio's outbound cluster: outbound|<port>|<subset>|<name>.<ns>.svc.<domain>.
	istioCluster = regexp.MustCompile(`^outbound\|(\d+)\|([^|]*)\|([^.]+)\.([^.]+)\.svc\..+$`)
	// kgateway's Service cluster: kube_<ns>_<name>_<port> (Kubernetes names
	// have no underscore).
	kgatewayCluster = regexp.MustCompile(`^kube_([^_]+)_([^_]+)_(\d+)$`)
)

// service names the Service and port a cluster of either side sends to, so
// that both sides' clusters compare: ns/name:port.
func service(cluster string) string {
	if m := istioCluster.FindStringSubmatch(cluster); m != nil && m[2] == "" {
		return m[4] + "/" + m[3] + ":" + m[1]
	}
	if m := kgatewayCluster.FindStringSubmatch(cluster); m != nil {
		return m[1] + "/" + m[2] + ":" + m[3]
	}
	return cluster
}

// describe is an outcome in the terms both sides are compared in: the
// Services and weights (as fractions), upstream path and host, the request
// headers, and the timeout; or the redirect, or the direct response.
func describe(o *envoyroute.Outcome, names func(cluster string) string) string {
	switch {
	case o.Route == nil:
		return "no route (404)"
	case o.Redirect != nil:
		r := o.Redirect
		return fmt.Sprintf("redirect %d %s://%s:%d%s", r.Code, r.Scheme, r.Host, r.Port, r.Path)
	case o.Direct != 0:
		return fmt.Sprintf("direct response %d", o.Direct)
	}
	var total uint32
	for _, c := range o.Clusters {
		total += c.Weight
	}
	var backends []string
	for _, c := range o.Clusters {
		backends = append(backends, fmt.Sprintf("%s=%.4f", names(c.Name), float64(c.Weight)/float64(max(total, 1))))
	}
	slices.Sort(backends)
	var headers []string
	for _, k := range slices.Sorted(maps.Keys(o.Headers)) {
		headers = append(headers, k+": "+o.Headers[k])
	}
	return fmt.Sprintf("to %s path %s host %s headers {%s} timeout %s",
		strings.Join(backends, ","), o.Path, o.Host, strings.Join(headers, "; "), o.Timeout)
}

// verdict is one probe through both route tables.
type verdict struct {
	probe           probes.Probe
	istio, kgateway string
	reported        bool // differs as a finding of the converter says it does
}

func (v verdict) equivalent() bool { return v.istio == v.kgateway }

// compareProbes routes every probe through both tables.
// A difference is reported when kgateway-route's results say so, or when
// it is only kgateway-route's configured defaultTimeout on a route Istio
// gave no timeout.
func compareProbes(istioRC, kgwRC *routev3.RouteConfiguration, ps []probes.Probe, reported func(probes.Probe) bool, defaultTimeout time.Duration, names func(string) string) ([]verdict, error) {
	var out []verdict
	for _, p := range ps {
		i, err := envoyroute.Evaluate(istioRC, p.Request)
		if err != nil {
			return nil, fmt.Errorf("Istio's routes, %s: %w", p, err)
		}
		k, err := envoyroute.Evaluate(kgwRC, p.Request)
		if err != nil {
			return nil, fmt.Errorf("kgateway's routes, %s: %w", p, err)
		}
		v := verdict{probe: p, istio: describe(i, names), kgateway: describe(k, names)}
		v.reported = !v.equivalent() && reported(p)
		if !v.equivalent() && defaultTimeout != 0 && i.Route != nil && i.Timeout == 0 {
			configured := *i
			configured.Timeout = defaultTimeout
			v.reported = v.reported || describe(&configured, names) == v.kgateway
		}
		out = append(out, v)
	}
	return out, nil
}

// reportedDifferences is whether kgateway-route's results say that a probe
// routes differently: the PathPrefix note for the path without the trailing
// slash, a warning on the probe's http rule of its VirtualService, or a
// subset routed by the config's subsets.
func reportedDifferences(results []object) func(probes.Probe) bool {
	type key struct{ vs, text string }
	notes := map[key]bool{}
	for _, r := range results {
		ref := mapOf(r["resourceRef"])
		if ref["kind"] != "VirtualService" {
			continue
		}
		vs := fmt.Sprintf("%v/%v", ref["namespace"], ref["name"])
		msg, _ := r["message"].(string)
		if m := trailingSlashNote.FindStringSubmatch(msg); m != nil {
			for _, p := range strings.Split(m[1], ", ") {
				notes[key{vs, "slash " + p}] = true
			}
		}
		if m := droppedHost.FindStringSubmatch(msg); m != nil {
			notes[key{vs, "host " + m[1]}] = true
		}
		// A subset the config maps to a Service outside the bundle: that
		// the Service selects the subset's pods is the config's word, which
		// the world here cannot check.
		if r["severity"] == "warning" || strings.HasSuffix(msg, "(config subsets)") {
			field, _ := mapOf(r["field"])["path"].(string)
			if m := httpRule.FindString(field); m != "" {
				notes[key{vs, m}] = true
			}
		}
	}
	return func(p probes.Probe) bool {
		vs, field, _ := strings.Cut(p.Source, " ")
		if notes[key{vs, httpRule.FindString(field)}] || notes[key{vs, "host " + p.Request.Host}] {
			return true
		}
		return strings.HasPrefix(p.Kind, "prefix-without-slash") && notes[key{vs, "slash " + pathOnlyOf(p.Request.Path) + "/"}]
	}
}

var (
	trailingSlashNote = regexp.MustCompile(`^PathPrefix (.+) also matches the path without the trailing slash`)
	httpRule          = regexp.MustCompile(`^spec\.http\[\d+\]`)
	droppedHost       = regexp.MustCompile(`^host "([^"]+)" is not a Gateway API hostname`)
)

func pathOnlyOf(p string) string {
	path, _, _ := strings.Cut(p, "?")
	return path
}

// defaultTimeout is kgateway-route's configured defaultTimeout (0: unset
// or 0s, Istio's own default).
func defaultTimeout(fnConfig object) time.Duration {
	for _, m := range []map[string]any{fnConfig, mapOf(fnConfig["data"])} {
		if s, ok := m["defaultTimeout"].(string); ok {
			d, _ := time.ParseDuration(s)
			return d
		}
	}
	return 0
}
