// Package envoyroute evaluates an Envoy route table (RouteConfiguration) for
// one request, as Envoy's router does: virtual host by domain, first route
// whose match holds, then the route's action (clusters and weights, path and
// host rewrites, request header mutations, timeout) or its redirect or direct
// response. Both sides of the translator comparison run through it, so a
// difference it reports is a difference between the route tables.
//
// It evaluates only what it understands: a route table using a field it does
// not model (a runtime fraction, a cluster header, a path rewrite policy...)
// is an error, never silently ignored.
package envoyroute

import (
	"fmt"
	"strings"
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// DefaultTimeout is the route timeout Envoy applies when a route sets none.
const DefaultTimeout = 15 * time.Second

// Request is what the router sees of a request.
type Request struct {
	Host    string            // :authority, without port
	Path    string            // :path, with its query string
	Method  string            // :method (GET when empty)
	Headers map[string]string // other request headers, lower-case names
}

// Outcome is where a request goes and how it is changed on the way.
type Outcome struct {
	VirtualHost string
	Route       *routev3.Route // the route that matched; nil: none did (404)

	vhost *routev3.VirtualHost
	table *routev3.RouteConfiguration

	Clusters []WeightedCluster // upstream clusters (one with weight 1 for a plain cluster)
	Path     string            // upstream :path after rewrites
	Host     string            // upstream :authority after host rewrite
	Headers  map[string]string // upstream request headers (lower-case names, repeated values joined by ",")
	Timeout  time.Duration     // route timeout; 0: disabled

	Redirect *Redirect // set for a redirect route
	Direct   uint32    // status of a direct response route
}

// WeightedCluster is one upstream cluster with its weight.
type WeightedCluster struct {
	Name   string
	Weight uint32
}

// Redirect is the redirect a route answers with.
type Redirect struct {
	Code                   uint32
	Scheme, Host, Path     string
	Port                   uint32 // 0: unchanged
	StripQuery, HTTPSForce bool
}

// Evaluate routes req through rc.
func Evaluate(rc *routev3.RouteConfiguration, req Request) (*Outcome, error) {
	if req.Method == "" {
		req.Method = "GET"
	}
	vh := selectVirtualHost(rc.GetVirtualHosts(), req.Host)
	if vh == nil {
		return &Outcome{}, nil
	}
	out := &Outcome{VirtualHost: vh.GetName(), vhost: vh, table: rc}
	for i, r := range vh.GetRoutes() {
		ok, err := routeMatches(r.GetMatch(), req)
		if err != nil {
			return nil, fmt.Errorf("virtual host %s route %d (%s): %w", vh.GetName(), i, r.GetName(), err)
		}
		if !ok {
			continue
		}
		out.Route = r
		if err := applyAction(out, rc, vh, r, req); err != nil {
			return nil, fmt.Errorf("virtual host %s route %d (%s): %w", vh.GetName(), i, r.GetName(), err)
		}
		return out, nil
	}
	return out, nil
}

// FilterConfig is the per-route config of HTTP filter name that applies to
// the matched route: the route's own, else its virtual host's, else the
// route table's (nil: none, the filter runs as the listener configures it).
func (o *Outcome) FilterConfig(name string) *anypb.Any {
	for _, m := range []map[string]*anypb.Any{o.Route.GetTypedPerFilterConfig(), o.vhost.GetTypedPerFilterConfig(), o.table.GetTypedPerFilterConfig()} {
		if c, ok := m[name]; ok {
			return c
		}
	}
	return nil
}

// selectVirtualHost picks the virtual host for host as Envoy does: an exact
// domain, then the longest suffix wildcard (*.foo.com), then the longest
// prefix wildcard (foo.*), then "*".
func selectVirtualHost(vhs []*routev3.VirtualHost, host string) *routev3.VirtualHost {
	host = strings.ToLower(host)
	var best *routev3.VirtualHost
	bestRank, bestLen := 0, -1
	for _, vh := range vhs {
		for _, d := range vh.GetDomains() {
			d = strings.ToLower(d)
			rank, n := domainRank(d, host)
			if rank > bestRank || rank == bestRank && rank > 0 && n > bestLen {
				best, bestRank, bestLen = vh, rank, n
			}
		}
	}
	return best
}

// domainRank is how well domain d matches host: 4 exact, 3 suffix wildcard,
// 2 prefix wildcard, 1 "*", 0 no match; n is the wildcard's literal length.
func domainRank(d, host string) (rank, n int) {
	switch {
	case d == host:
		return 4, len(d)
	case d == "*":
		return 1, 0
	case strings.HasPrefix(d, "*") && len(host) > len(d)-1 && strings.HasSuffix(host, d[1:]):
		return 3, len(d) - 1
	case strings.HasSuffix(d, "*") && len(host) > len(d)-1 && strings.HasPrefix(host, d[:len(d)-1]):
		return 2, len(d) - 1
	}
	return 0, 0
}
