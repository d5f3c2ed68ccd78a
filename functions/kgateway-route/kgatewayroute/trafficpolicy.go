package kgatewayroute

import (
	"math"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
)

// What a converted route needs of kgateway's own API: the TrafficPolicy
// settings of a rule (retries, fault injection) and DirectResponses.

// ruleTrafficPolicy is the TrafficPolicy spec the route's rules share
// (retry, faultInjection); empty: none.
func (v *vsConverter) ruleTrafficPolicy(field string, r *httpRoute) map[string]any {
	policy := map[string]any{}
	if r.Retries != nil {
		if retry := v.retryPolicy(field+".retries", r); retry != nil {
			policy["retry"] = retry
		}
	}
	if r.Fault != nil {
		if fault := v.faultPolicy(field+".fault", r); fault != nil {
			policy["faultInjection"] = fault
		}
	}
	return policy
}

// retryPolicy converts Istio retries into a kgateway TrafficPolicy retry
// (HTTPRoute retry is experimental-channel only). attempts 0 disables
// retries, which is kgateway's default: nothing to emit.
func (v *vsConverter) retryPolicy(field string, r *httpRoute) map[string]any {
	v.warnUnconverted(field, retryFields, kit.MapOf(r.raw["retries"]), "")
	rt := r.Retries
	if rt.Attempts != nil && *rt.Attempts == 0 {
		return nil
	}
	out := map[string]any{}
	if rt.Attempts != nil {
		out["attempts"] = int64(*rt.Attempts)
	} else {
		out["attempts"] = int64(2) // Istio's default
	}
	if rt.PerTryTimeout != "" {
		d, err := gepDuration(rt.PerTryTimeout)
		if err != nil || d == "0s" {
			v.warn(field+".perTryTimeout", "%q cannot be converted: dropped", rt.PerTryTimeout)
		} else {
			out["perTryTimeout"] = d
		}
	}
	on := rt.RetryOn
	if on == "" {
		on = istioDefaultRetryOn
	}
	var conds []any
	var codes []any
	for _, cond := range strings.Split(on, ",") {
		cond = strings.TrimSpace(cond)
		if n, err := strconv.Atoi(cond); err == nil && n >= 400 && n <= 599 {
			codes = append(codes, int64(n))
			continue
		}
		if !retryOnConditions[cond] {
			v.warn(field+".retryOn", "condition %q has no kgateway equivalent: dropped", cond)
			continue
		}
		conds = append(conds, cond)
	}
	if len(conds) > 0 {
		out["retryOn"] = conds
	}
	if len(codes) > 0 {
		out["statusCodes"] = codes
	}
	if len(conds)+len(codes) == 0 {
		return nil
	}
	return out
}

// faultPolicy converts Istio fault injection into kgateway's TrafficPolicy
// faultInjection (integer percentages).
func (v *vsConverter) faultPolicy(field string, r *httpRoute) map[string]any {
	raw := kit.MapOf(r.raw["fault"])
	v.warnUnconverted(field, faultFields, raw, "")
	out := map[string]any{}
	pct := func(f string, p *percent) (int64, bool) {
		if p == nil {
			return 100, true
		}
		if p.Value != math.Trunc(p.Value) || p.Value < 0 || p.Value > 100 {
			v.warn(f+".percentage", "%v%% is not a whole percentage: dropped", p.Value)
			return 0, false
		}
		return int64(p.Value), true
	}
	if d := r.Fault.Delay; d != nil {
		v.warnUnconverted(field+".delay", delayFields, kit.MapOf(raw["delay"]), "")
		dur, err := gepDuration(d.FixedDelay)
		p, ok := pct(field+".delay", d.Percentage)
		switch {
		case d.FixedDelay == "":
		case err != nil || dur == "0s":
			v.warn(field+".delay.fixedDelay", "%q cannot be converted: delay dropped", d.FixedDelay)
		case ok:
			out["delay"] = map[string]any{"fixedDelay": dur, "percentage": p}
		}
	}
	if a := r.Fault.Abort; a != nil {
		v.warnUnconverted(field+".abort", abortFields, kit.MapOf(raw["abort"]), "")
		p, ok := pct(field+".abort", a.Percentage)
		switch {
		case a.HTTPStatus < 200 || a.HTTPStatus > 599:
			if a.HTTPStatus != 0 {
				v.warn(field+".abort.httpStatus", "%d is outside 200-599: abort dropped", a.HTTPStatus)
			}
		case ok:
			out["abort"] = map[string]any{"httpStatus": int64(a.HTTPStatus), "percentage": p}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// directResponse converts an Istio directResponse into the spec of a
// kgateway DirectResponse, which the rule references.
func (v *vsConverter) directResponse(field string, r *httpRoute) (map[string]any, bool) {
	v.warnUnconverted(field, directResponseFields, kit.MapOf(r.raw["directResponse"]), "")
	d := r.DirectResponse
	if d.Status < 200 || d.Status > 599 {
		v.warn(field+".status", "status %d is outside the 200-599 kgateway accepts: route dropped", d.Status)
		return nil, false
	}
	spec := map[string]any{"status": int64(d.Status)}
	if b := d.Body; b != nil {
		switch {
		case b.String != nil:
			spec["body"] = *b.String
		case b.Bytes != nil:
			spec["body"] = string(b.Bytes)
		}
	}
	return spec, true
}
