package stripsidecar

import "strings"

// The label and annotation keys that only the sidecar injector or the sidecar
// proxy reads (istio/api labels.yaml and annotations.yaml). Matching is by
// exact key or by Istio's own key prefix, never by substring, so look-alikes
// such as "example.com/sidecar.istio.io-note" are left alone.
var (
	sidecarKeyPrefixes = []string{
		"sidecar.istio.io/",                  // injection, proxy image/resources, logging, stats, interception
		"traffic.sidecar.istio.io/",          // iptables capture ranges and ports
		"status.sidecar.istio.io/",           // status port
		"readiness.status.sidecar.istio.io/", // sidecar readiness probe
	}
	sidecarExactKeys = map[string]bool{
		"proxy.istio.io/config":             true, // ProxyConfig for the sidecar
		"proxy.istio.io/overrides":          true, // injector-internal
		"inject.istio.io/templates":         true, // injection templates
		"prometheus.istio.io/merge-metrics": true, // sidecar metrics merging
		"security.istio.io/tlsMode":         true, // "this pod has a sidecar" marker for auto-mTLS
	}
)

// injectKey is the opt-in/opt-out key; "false" is kept (see README).
const injectKey = "sidecar.istio.io/inject"

// isSidecarKey reports whether a label or annotation key is sidecar-only.
func isSidecarKey(key string) bool {
	if sidecarExactKeys[key] {
		return true
	}
	for _, p := range sidecarKeyPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// Sidecar contexts of EnvoyFilter patches; a filter whose every patch is in
// one of these has nothing left to patch without sidecars.
var sidecarPatchContexts = map[string]bool{"SIDECAR_INBOUND": true, "SIDECAR_OUTBOUND": true}

// destinationRuleNeutralFields are DestinationRule spec fields that have no
// effect of their own; a rule holding only these and trafficPolicy.tls
// ISTIO_MUTUAL does nothing under ambient (ztunnel encrypts with HBONE).
var destinationRuleNeutralFields = map[string]bool{"host": true, "exportTo": true, "workloadSelector": true}
