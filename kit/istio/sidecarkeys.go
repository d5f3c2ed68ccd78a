package istio

import "strings"

// The label and annotation keys that only Istio's sidecar injector or the
// sidecar proxy reads (istio/api labels.yaml and annotations.yaml). Matching
// is by exact key or by Istio's own key prefix, never by substring, so
// look-alikes such as "example.com/sidecar.istio.io-note" are not matched.
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

// SidecarInjectKey is the sidecar opt-in/opt-out key. Its value "false" is
// the one sidecar key that stays meaningful without sidecars: it marks pods
// that must stay out of the mesh.
const SidecarInjectKey = "sidecar.istio.io/inject"

// IsSidecarKey reports whether a label or annotation key configures only
// Istio sidecars (and so does nothing, or harm, under ambient).
func IsSidecarKey(key string) bool {
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
