package stripsidecar

import (
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// destinationRule deletes a DestinationRule whose only effect is
// trafficPolicy.tls.mode ISTIO_MUTUAL, and warns about one that keeps
// ISTIO_MUTUAL beside other settings, naming the fields that kept it.
func (s *stripper) destinationRule(o *fn.KubeObject) bool {
	if o.GetMap("spec") == nil || !strings.Contains(o.String(), "ISTIO_MUTUAL") {
		return false
	}
	keeping := destinationRuleEffects(o)
	if mode, _, _ := o.NestedString("spec", "trafficPolicy", "tls", "mode"); mode != "ISTIO_MUTUAL" && len(keeping) == 0 {
		return false // ISTIO_MUTUAL is not a setting here (a name that holds it)
	}
	if len(keeping) == 0 && s.cfg.RemoveMutualTLSDestinationRules {
		kit.Info(s.results, o, "spec.trafficPolicy.tls.mode", "deleted: its only effect is ISTIO_MUTUAL, and ambient encrypts all mesh traffic with HBONE")
		return true
	}
	field, why := "spec.trafficPolicy.tls.mode", "removeMutualTLSDestinationRules is false"
	if len(keeping) > 0 {
		field, why = keeping[0], strings.Join(keeping, ", ")+" still has an effect"
	}
	s.warnings++
	kit.Warning(s.results, o, field, "kept (%s): under ambient, tls ISTIO_MUTUAL is redundant (HBONE) and a DestinationRule applies only at a waypoint, so its other settings (subsets, load balancing, connection pools) take effect only for traffic through one", why)
	return false
}

// destinationRuleEffects lists the fields of a DestinationRule that do
// something besides trafficPolicy.tls.mode ISTIO_MUTUAL.
func destinationRuleEffects(o *fn.KubeObject) []string {
	var out []string
	for _, f := range fieldNames(o, "spec") {
		if f != "trafficPolicy" && !destinationRuleNeutralFields[f] {
			out = append(out, "spec."+f)
		}
	}
	for _, f := range fieldNames(o, "spec", "trafficPolicy") {
		if f != "tls" {
			out = append(out, "spec.trafficPolicy."+f)
		}
	}
	for _, f := range fieldNames(o, "spec", "trafficPolicy", "tls") {
		if mode, _, _ := o.NestedString("spec", "trafficPolicy", "tls", "mode"); f != "mode" || mode != "ISTIO_MUTUAL" {
			out = append(out, "spec.trafficPolicy.tls."+f)
		}
	}
	return out
}

// optOutWhy says why the opt-out label matters when it is ambient's.
func (s *stripper) optOutWhy() string {
	if s.optOutKey != "istio.io/dataplane-mode" {
		return ""
	}
	return ": ambient ignores that annotation, and this label keeps the pod out of ambient once its namespace is enrolled (by ambient-mesh)"
}
