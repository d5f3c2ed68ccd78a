package kgatewayroute

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/kfgitops/kfgitops/kit"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// The Gateway API filters of a converted route: header operations, mirrors,
// CORS and redirects.

// commonFilters are the filters every rule converted from the route shares.
func (v *vsConverter) commonFilters(i int, r *httpRoute) []gwv1.HTTPRouteFilter {
	field := httpPath(i)
	var out []gwv1.HTTPRouteFilter
	if r.Headers != nil {
		v.warnUnconverted(field+".headers", headersFields, kit.MapOf(r.raw["headers"]), "")
		if f := headerFilter(r.Headers.Request); f != nil {
			out = append(out, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestHeaderModifier, RequestHeaderModifier: f})
		}
		if f := headerFilter(r.Headers.Response); f != nil {
			out = append(out, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterResponseHeaderModifier, ResponseHeaderModifier: f})
		}
	}
	out = append(out, v.mirrorFilters(i, r)...)
	if r.CorsPolicy != nil {
		if f := v.corsFilter(field+".corsPolicy", r); f != nil {
			out = append(out, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterCORS, CORS: f})
		}
	}
	return out
}

func headerFilter(ops *headerOps) *gwv1.HTTPHeaderFilter {
	if ops == nil || len(ops.Set)+len(ops.Add)+len(ops.Remove) == 0 {
		return nil
	}
	f := &gwv1.HTTPHeaderFilter{Remove: ops.Remove}
	for _, k := range slices.Sorted(maps.Keys(ops.Set)) {
		f.Set = append(f.Set, gwv1.HTTPHeader{Name: gwv1.HTTPHeaderName(k), Value: ops.Set[k]})
	}
	for _, k := range slices.Sorted(maps.Keys(ops.Add)) {
		f.Add = append(f.Add, gwv1.HTTPHeader{Name: gwv1.HTTPHeaderName(k), Value: ops.Add[k]})
	}
	return f
}

func redirectFilter(r *httpRedirect) (*gwv1.HTTPRequestRedirectFilter, error) {
	f := &gwv1.HTTPRequestRedirectFilter{}
	code := 301 // Istio's default
	if r.RedirectCode != 0 {
		code = r.RedirectCode
	}
	if !redirectCodes[code] {
		return nil, fmt.Errorf("redirect code %d is not one Gateway API allows (301, 302, 303, 307, 308)", code)
	}
	f.StatusCode = &code
	if r.Scheme != "" {
		s := r.Scheme
		f.Scheme = &s
	}
	if r.Authority != "" {
		h := gwv1.PreciseHostname(r.Authority)
		f.Hostname = &h
	}
	if r.Port != 0 {
		p := gwv1.PortNumber(r.Port)
		f.Port = &p
	}
	if r.URI != "" {
		u := r.URI
		f.Path = &gwv1.HTTPPathModifier{Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: &u}
	}
	return f, nil
}

func (v *vsConverter) mirrorFilters(i int, r *httpRoute) []gwv1.HTTPRouteFilter {
	field := httpPath(i)
	var out []gwv1.HTTPRouteFilter
	add := func(f string, d destination, raw map[string]any, p *percent) {
		ref, ok := v.serviceRef(f, d, raw)
		if !ok {
			return
		}
		m := &gwv1.HTTPRequestMirrorFilter{BackendRef: ref}
		if p != nil {
			if p.Value == math.Trunc(p.Value) {
				v := int32(p.Value)
				m.Percent = &v
			} else {
				m.Fraction = &gwv1.Fraction{Numerator: int32(math.Round(p.Value * 10000))}
				den := int32(1000000)
				m.Fraction.Denominator = &den
			}
		}
		out = append(out, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestMirror, RequestMirror: m})
	}
	if r.Mirror != nil {
		add(field+".mirror", *r.Mirror, kit.MapOf(r.raw["mirror"]), r.MirrorPercentage)
	}
	for j, m := range r.Mirrors {
		raw := kit.MapOf(indexOf(r.raw["mirrors"], j))
		add(fmt.Sprintf("%s.mirrors[%d].destination", field, j), m.Destination, kit.MapOf(raw["destination"]), m.Percentage)
	}
	return out
}

func (v *vsConverter) corsFilter(field string, r *httpRoute) *gwv1.HTTPCORSFilter {
	v.warnUnconverted(field, corsFields, kit.MapOf(r.raw["corsPolicy"]), "")
	p := r.CorsPolicy
	f := &gwv1.HTTPCORSFilter{AllowCredentials: p.AllowCredentials}
	for _, s := range p.AllowOrigin {
		f.AllowOrigins = append(f.AllowOrigins, gwv1.CORSOrigin(s))
	}
	for j, m := range p.AllowOrigins {
		if m.Exact == nil {
			v.warn(fmt.Sprintf("%s.allowOrigins[%d]", field, j), "only exact origins can be converted: origin dropped")
			continue
		}
		f.AllowOrigins = append(f.AllowOrigins, gwv1.CORSOrigin(*m.Exact))
	}
	for _, m := range p.AllowMethods {
		f.AllowMethods = append(f.AllowMethods, gwv1.HTTPMethodWithWildcard(m))
	}
	for _, h := range p.AllowHeaders {
		f.AllowHeaders = append(f.AllowHeaders, gwv1.HTTPHeaderName(h))
	}
	for _, h := range p.ExposeHeaders {
		f.ExposeHeaders = append(f.ExposeHeaders, gwv1.HTTPHeaderName(h))
	}
	if p.MaxAge != "" {
		d, err := time.ParseDuration(p.MaxAge)
		if err != nil || d < time.Second {
			v.warn(field+".maxAge", "%q is not a duration of at least 1s: dropped", p.MaxAge)
		} else {
			f.MaxAge = int32(d / time.Second)
		}
	}
	return f
}
