// Package probes derives test requests from a VirtualService's matches: for
// every match, the requests on either side of its edges (a prefix with and
// without its trailing slash, a deeper path, a gRPC-style P.Svc/Method
// continuation, an exact path, strings its regex matches), with its header,
// query and method conditions met and, where it has some, unmet.
package probes

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/tests/translators/envoyroute"
)

// AnyHost is the Host of probes for a VirtualService of hosts "*".
const AnyHost = "kubeflow.example.com"

// Probe is one request and where it came from.
type Probe struct {
	Request envoyroute.Request
	Source  string // "<ns>/<name> spec.http[i].match[j]"
	Kind    string // which edge: prefix, prefix-without-slash, prefix-with-slash, deeper, grpc, exact, regex, no-conditions
}

// String names the probe for messages.
func (p Probe) String() string {
	var cond []string
	for k, v := range p.Request.Headers {
		cond = append(cond, k+"="+v)
	}
	return fmt.Sprintf("%s %s%s %v (%s, %s)", p.Request.Method, p.Request.Host, p.Request.Path, cond, p.Kind, p.Source)
}

// FromVirtualService derives the probes of vs (a networking.istio.io
// VirtualService as decoded JSON).
func FromVirtualService(vs map[string]any) ([]Probe, error) {
	md, _ := vs["metadata"].(map[string]any)
	spec, _ := vs["spec"].(map[string]any)
	id := fmt.Sprintf("%v/%v", md["namespace"], md["name"])
	hosts := []string{}
	for _, h := range list(spec["hosts"]) {
		s, _ := h.(string)
		if s == "*" || strings.HasPrefix(s, "*.") {
			s = strings.TrimPrefix(strings.TrimPrefix(s, "*"), ".")
			if s == "" {
				s = AnyHost
			} else {
				s = "probe." + s
			}
		}
		hosts = append(hosts, s)
	}
	var out []Probe
	for i, h := range list(spec["http"]) {
		matches := list(h.(map[string]any)["match"])
		if len(matches) == 0 {
			matches = []any{map[string]any{}}
		}
		for j, m := range matches {
			src := fmt.Sprintf("%s spec.http[%d].match[%d]", id, i, j)
			ps, err := fromMatch(m.(map[string]any), src)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", src, err)
			}
			for _, host := range hosts {
				for _, p := range ps {
					p.Request.Host = host
					out = append(out, p)
				}
			}
		}
	}
	return out, nil
}

// fromMatch derives the probes of one HTTPMatchRequest.
func fromMatch(m map[string]any, src string) ([]Probe, error) {
	paths, err := pathProbes(mapOf(m["uri"]))
	if err != nil {
		return nil, err
	}
	headers := map[string]string{}
	for name, sm := range mapOf(m["headers"]) {
		v, err := sample(mapOf(sm))
		if err != nil {
			return nil, fmt.Errorf("headers.%s: %w", name, err)
		}
		headers[strings.ToLower(name)] = v
	}
	query := url.Values{}
	for name, sm := range mapOf(m["queryParams"]) {
		v, err := sample(mapOf(sm))
		if err != nil {
			return nil, fmt.Errorf("queryParams.%s: %w", name, err)
		}
		query.Set(name, v)
	}
	method := "GET"
	if mm := mapOf(m["method"]); len(mm) > 0 {
		if method, err = sample(mm); err != nil {
			return nil, fmt.Errorf("method: %w", err)
		}
	}
	var out []Probe
	for _, p := range paths {
		path := p.path
		if len(query) > 0 {
			path += "?" + query.Encode()
		}
		out = append(out, Probe{Request: envoyroute.Request{Path: path, Method: method, Headers: headers}, Source: src, Kind: p.kind})
		if len(headers)+len(query) > 0 || method != "GET" {
			out = append(out, Probe{Request: envoyroute.Request{Path: p.path, Method: "GET"}, Source: src, Kind: p.kind + "/no-conditions"})
		}
	}
	return out, nil
}

type pathProbe struct{ path, kind string }

// pathProbes are the paths at the edges of a URI match.
func pathProbes(uri map[string]any) ([]pathProbe, error) {
	switch {
	case uri["prefix"] != nil:
		p, _ := uri["prefix"].(string)
		if p == "" || p == "/" {
			return []pathProbe{{"/", "prefix"}, {"/probe/deeper", "deeper"}}, nil
		}
		out := []pathProbe{{p, "prefix"}}
		if strings.HasSuffix(p, "/") {
			out = append(out, pathProbe{strings.TrimSuffix(p, "/"), "prefix-without-slash"}, pathProbe{p + "probe/deeper", "deeper"})
		} else {
			out = append(out, pathProbe{p + "/", "prefix-with-slash"}, pathProbe{p + "/probe/deeper", "deeper"},
				pathProbe{p + ".Svc/Method", "grpc"})
		}
		return out, nil
	case uri["exact"] != nil:
		p, _ := uri["exact"].(string)
		out := []pathProbe{{p, "exact"}}
		if strings.HasSuffix(p, "/") && len(p) > 1 {
			out = append(out, pathProbe{strings.TrimSuffix(p, "/"), "exact-without-slash"})
		} else {
			out = append(out, pathProbe{p + "/", "exact-with-slash"})
		}
		return out, nil
	case uri["regex"] != nil:
		re, _ := uri["regex"].(string)
		samples, err := regexSamples(re)
		if err != nil {
			return nil, fmt.Errorf("uri.regex: %w", err)
		}
		var out []pathProbe
		for _, s := range samples {
			out = append(out, pathProbe{s, "regex"})
		}
		return out, nil
	case len(uri) == 0:
		return []pathProbe{{"/", "prefix"}, {"/probe/deeper", "deeper"}}, nil
	}
	return nil, fmt.Errorf("uri match %v is not one probes are derived for", uri)
}

// sample is a value a StringMatch matches.
func sample(sm map[string]any) (string, error) {
	switch {
	case sm["exact"] != nil:
		return fmt.Sprint(sm["exact"]), nil
	case sm["prefix"] != nil:
		return fmt.Sprint(sm["prefix"]) + "probe", nil
	case sm["regex"] != nil:
		s, err := regexSamples(fmt.Sprint(sm["regex"]))
		if err != nil {
			return "", err
		}
		return s[0], nil
	case len(sm) == 0:
		return "probe", nil // an empty StringMatch: presence
	}
	return "", fmt.Errorf("string match %v is not one probes are derived for", sm)
}

// regexSamples are strings the RE2 pattern matches whole, shortest first.
func regexSamples(pattern string) ([]string, error) {
	full, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range generate(pattern) {
		if full.MatchString(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no sample found that %q matches", pattern)
	}
	return out, nil
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
