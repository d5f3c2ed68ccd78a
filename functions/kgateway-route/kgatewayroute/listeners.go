package kgatewayroute

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// listener is one listener of the emitted Gateway.
type listener struct {
	name     string
	port     int64
	protocol string // HTTP or HTTPS
	hostname string // "": any host
	secret   string // HTTPS: the TLS Secret in the Gateway's namespace
}

// configListeners are the listeners the config says: one HTTP listener per
// hostname, and as many HTTPS ones with https.
func configListeners(cfg *Config) []listener {
	var out []listener
	add := func(protocol string, port int32, secret string) {
		for i, h := range cfg.Hostnames {
			l := listener{name: listenerName(strings.ToLower(protocol), i, len(cfg.Hostnames)), port: int64(port), protocol: protocol, secret: secret}
			if h != "*" {
				l.hostname = h
			}
			out = append(out, l)
		}
	}
	add("HTTP", cfg.HTTPPort, "")
	if cfg.HTTPS != nil {
		add("HTTPS", cfg.HTTPS.Port, cfg.HTTPS.SecretName)
	}
	return out
}

// istioServer is one entry of an Istio Gateway's spec.servers.
type istioServer struct {
	Port struct {
		Number   int64  `json:"number"`
		Protocol string `json:"protocol"`
	} `json:"port"`
	Hosts []string `json:"hosts"`
	TLS   *struct {
		Mode           string `json:"mode"`
		CredentialName string `json:"credentialName"`
		HTTPSRedirect  bool   `json:"httpsRedirect"`
	} `json:"tls"`
}

// serverListeners converts the Istio Gateway's servers into listeners:
// port, protocol, hosts (one listener each) and TLS credentialName (the
// certificateRefs). A server whose traffic kgateway would not handle as
// Istio did is left out with a warning when that refuses requests Istio
// took, and is an error when it would accept requests Istio refused.
func (c *converter) serverListeners(gw *fn.KubeObject, gatewayNamespace string) ([]listener, error) {
	var g struct {
		Spec struct {
			Servers []istioServer `json:"servers"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal([]byte(gw.String()), &g); err != nil {
		return nil, kit.Errorf(gw, "spec.servers", "%v", err)
	}
	var out []listener
	for i, s := range g.Spec.Servers {
		field := fmt.Sprintf("spec.servers[%d]", i)
		protocol, secret, err := c.serverProtocol(gw, field, s, gatewayNamespace)
		if err != nil {
			return nil, err
		}
		if protocol == "" {
			continue
		}
		for _, h := range s.Hosts {
			// "namespace/host" limits which namespaces' VirtualServices
			// bind; the route's namespace is kept, so only the host counts.
			if _, host, found := strings.Cut(h, "/"); found {
				h = host
			}
			if h != "*" && !hostnamePattern.MatchString(h) {
				return nil, kit.Errorf(gw, field+".hosts", "host %q is not a Gateway API hostname; set hostnames (and httpPort, https) in the config", h)
			}
			l := listener{port: s.Port.Number, protocol: protocol, secret: secret}
			if h != "*" {
				l.hostname = h
			}
			if !slices.ContainsFunc(out, func(o listener) bool { return o.port == l.port && o.hostname == l.hostname }) {
				out = append(out, l)
			}
		}
	}
	if len(out) == 0 {
		return nil, kit.Errorf(gw, "spec.servers", "no server can be a kgateway listener; set hostnames (and httpPort, https) in the config")
	}
	nameListeners(out)
	return out, nil
}

// serverProtocol is the listener protocol of a server, and for HTTPS its
// Secret; "" (and no error): the server is left out, reported.
func (c *converter) serverProtocol(gw *fn.KubeObject, field string, s istioServer, gatewayNamespace string) (protocol, secret string, err error) {
	p := strings.ToUpper(s.Port.Protocol)
	switch {
	case s.Port.Number < 1 || s.Port.Number > 65535:
		return "", "", kit.Errorf(gw, field+".port.number", "%d: want 1-65535", s.Port.Number)
	case p == "HTTP" && s.TLS != nil && s.TLS.HTTPSRedirect:
		c.warn(gw, field+".tls.httpsRedirect", "port %d redirects to HTTPS: not converted, so the Gateway has no listener on it (plain HTTP requests are refused, not redirected)", s.Port.Number)
		return "", "", nil
	case p == "HTTP":
		return "HTTP", "", nil
	case p != "HTTPS":
		c.warn(gw, field+".port.protocol", "%s servers carry no HTTP routes this function converts: port %d gets no listener", s.Port.Protocol, s.Port.Number)
		return "", "", nil
	case s.TLS == nil || s.TLS.Mode != "SIMPLE":
		mode := "unset"
		if s.TLS != nil {
			mode = s.TLS.Mode
		}
		return "", "", kit.Errorf(gw, field+".tls.mode", "TLS mode %s is not converted (only SIMPLE, terminated with credentialName, is): a listener would not check what Istio checked; set hostnames and https in the config", mode)
	case s.TLS.CredentialName == "":
		return "", "", kit.Errorf(gw, field+".tls.credentialName", "HTTPS without credentialName (certificate files) is not converted: set https.secretName in the config")
	}
	c.info(gw, field+".tls.credentialName", "HTTPS listener on port %d terminates TLS with Secret %s/%s: Istio read credentialName from its ingress gateway pods' namespace, kgateway reads it from the Gateway's",
		s.Port.Number, gatewayNamespace, s.TLS.CredentialName)
	return "HTTPS", s.TLS.CredentialName, nil
}

// nameListeners names listeners after their protocol, numbered within it
// when there are several (as the config's listeners are).
func nameListeners(ls []listener) {
	count := map[string]int{}
	for _, l := range ls {
		count[l.protocol]++
	}
	seen := map[string]int{}
	for i := range ls {
		p := ls[i].protocol
		ls[i].name = listenerName(strings.ToLower(p), seen[p], count[p])
		seen[p]++
	}
}

// listenerHostnames are the hostnames the listeners accept, for the
// config's hostnames: ["*"] when one accepts any.
func listenerHostnames(ls []listener) []string {
	var out []string
	for _, l := range ls {
		if l.hostname == "" {
			return []string{"*"}
		}
		if !slices.Contains(out, l.hostname) {
			out = append(out, l.hostname)
		}
	}
	return out
}

// httpPortOf is the port of the first HTTP listener (80 without one).
func httpPortOf(ls []listener) int32 {
	for _, l := range ls {
		if l.protocol == "HTTP" {
			return int32(l.port)
		}
	}
	return 80
}

// emittedListeners are the listeners of the Gateway gw that an earlier run
// emitted into items; nil: none.
func emittedListeners(items fn.KubeObjects, gw ingress.Gateway) []listener {
	for _, o := range items {
		if !gatewayKind.Is(o) || o.GetNamespace() != gw.Namespace || o.GetName() != gw.Name || o.GetLabels()[managedByLabel] != managedLabels[managedByLabel] {
			continue
		}
		var out []listener
		raw, _, _ := o.NestedSlice("spec", "listeners")
		for _, r := range raw {
			l := listener{}
			l.name, _, _ = r.NestedString("name")
			l.port, _, _ = r.NestedInt64("port")
			l.protocol, _, _ = r.NestedString("protocol")
			l.hostname, _, _ = r.NestedString("hostname")
			refs, _, _ := r.NestedSlice("tls", "certificateRefs")
			if len(refs) > 0 {
				l.secret, _, _ = refs[0].NestedString("name")
			}
			out = append(out, l)
		}
		return out
	}
	return nil
}

// render is the listener in the Gateway's spec.
func (l listener) render(allowed map[string]any) map[string]any {
	m := map[string]any{"name": l.name, "port": l.port, "protocol": l.protocol, "allowedRoutes": allowed}
	if l.hostname != "" {
		m["hostname"] = l.hostname
	}
	if l.protocol == "HTTPS" {
		m["tls"] = map[string]any{"mode": "Terminate", "certificateRefs": []any{map[string]any{"kind": "Secret", "group": "", "name": l.secret}}}
	}
	return m
}
