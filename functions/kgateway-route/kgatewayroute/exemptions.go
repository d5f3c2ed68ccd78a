package kgatewayroute

import (
	"maps"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// exemption is a set of paths (Istio path globs) where an auth step is off.
type exemption []string

func (e exemption) covers(o uriOrigin) bool {
	if o.kind == "regex" || len(e) == 0 {
		return false
	}
	for _, g := range e {
		if p, wild := strings.CutSuffix(g, "*"); wild {
			if o.value != "" && strings.HasPrefix(o.value, strings.TrimRight(p, "*")) {
				return true
			}
		} else if o.kind == "exact" && o.value == g {
			return true
		}
	}
	return false
}

func anyCovered(e exemption, origins []uriOrigin) bool {
	return slices.ContainsFunc(origins, e.covers)
}

func allCovered(e exemption, origins []uriOrigin) bool {
	if len(e) == 0 || len(origins) == 0 {
		return false
	}
	return !slices.ContainsFunc(origins, func(o uriOrigin) bool { return !e.covers(o) })
}

// authSteps says which auth steps a TrafficPolicy turns off.
type authSteps struct{ ext, jwt bool }

// exemptions emits, per converted HTTPRoute, a TrafficPolicy disabling the
// auth steps whose Istio policy exempted all the paths of some rules.
func (c *converter) exemptions(converted []*Conversion, extAuth, jwt exemption) ([]*fn.KubeObject, error) {
	var out []*fn.KubeObject
	for _, cv := range converted {
		for _, route := range slices.Sorted(maps.Keys(cv.rules)) {
			rules := cv.rules[route]
			targets := map[authSteps][]string{}
			for _, r := range rules {
				k := authSteps{allCovered(extAuth, r.origins), allCovered(jwt, r.origins)}
				if (!k.ext && anyCovered(extAuth, r.origins)) || (!k.jwt && anyCovered(jwt, r.origins)) {
					c.warn(cv.vs.obj, httpPath(r.httpIndex)+".match", "rule %s of HTTPRoute %s mixes paths exempt from authentication with others: authentication stays on for all of them; split the route", *r.Name, route)
				}
				if k.ext || k.jwt {
					targets[k] = append(targets[k], string(*r.Name))
				}
			}
			for _, k := range []authSteps{{true, true}, {true, false}, {false, true}} {
				if len(targets[k]) == 0 {
					continue
				}
				p, err := exemptionPolicy(cv.vs.obj.GetNamespace(), route, k, targets[k], len(rules))
				if err != nil {
					return nil, err
				}
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// exemptionPolicy is the TrafficPolicy turning the steps off on the named
// rules of HTTPRoute route (on the whole route when they are all of its
// rules).
func exemptionPolicy(namespace, route string, steps authSteps, names []string, rules int) (*fn.KubeObject, error) {
	spec := map[string]any{}
	suffix := "-no"
	if steps.ext {
		spec["extAuth"] = map[string]any{"disable": map[string]any{}}
		suffix += "-extauth"
	}
	if steps.jwt {
		spec["jwtAuth"] = map[string]any{"disable": map[string]any{}}
		suffix += "-jwt"
	}
	var refs []any
	if len(names) == rules {
		refs = []any{map[string]any{"group": kit.GroupGatewayAPI, "kind": "HTTPRoute", "name": route}}
	} else {
		for _, n := range names {
			refs = append(refs, map[string]any{"group": kit.GroupGatewayAPI, "kind": "HTTPRoute", "name": route, "sectionName": n})
		}
	}
	spec["targetRefs"] = refs
	return newObject(kgatewayVersion, "TrafficPolicy", namespace, route+suffix, managedLabels, nil, spec)
}
