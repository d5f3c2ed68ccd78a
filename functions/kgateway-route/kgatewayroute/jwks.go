package kgatewayroute

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"k8s.io/apimachinery/pkg/util/validation"
)

// externalKeySet is the backendRef of a key set served over https outside
// the cluster (an external OIDC provider's, set by identity-provider): a
// static kgateway Backend for its host and port, and the
// BackendConfigPolicy that makes Envoy speak TLS to it, with the host as SNI
// and the certificate verified against the system's CA certificates. Nil:
// not an https URL of a DNS host.
func (c *converter) externalKeySet(raw string) (map[string]any, []*fn.KubeObject, error) {
	u, err := url.Parse(raw)
	host := ""
	if err == nil {
		host = u.Hostname()
	}
	if err != nil || u.Scheme != "https" || len(validation.IsDNS1123Subdomain(host)) > 0 {
		return nil, nil, nil
	}
	port := int64(443)
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, nil, err
		}
		port = int64(n)
	}
	gw := c.cfg.Gateway
	name := "jwks-" + strings.ReplaceAll(host, ".", "-")
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-")
	}
	backend, err := newObject(kgatewayVersion, "Backend", gw.Namespace, name, managedLabels, nil, map[string]any{
		"type":   "Static",
		"static": map[string]any{"hosts": []any{map[string]any{"host": host, "port": port}}},
	})
	if err != nil {
		return nil, nil, err
	}
	tls, err := newObject(kgatewayVersion, "BackendConfigPolicy", gw.Namespace, name, managedLabels, nil, map[string]any{
		"targetRefs": []any{map[string]any{"group": kgatewayGroup, "kind": "Backend", "name": name}},
		"tls":        map[string]any{"sni": host, "wellKnownCACertificates": "System"},
	})
	if err != nil {
		return nil, nil, err
	}
	ref := map[string]any{"group": kgatewayGroup, "kind": "Backend", "name": name}
	return ref, []*fn.KubeObject{backend, tls}, nil
}
