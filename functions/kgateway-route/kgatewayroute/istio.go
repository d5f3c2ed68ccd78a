package kgatewayroute

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// The parts of Istio's networking and security APIs this function reads
// (identical in v1alpha3, v1beta1 and v1).

type virtualService struct {
	obj  *fn.KubeObject
	Spec struct {
		Hosts    []string          `json:"hosts"`
		Gateways []string          `json:"gateways"`
		HTTP     []json.RawMessage `json:"http"`
		TCP      []any             `json:"tcp"`
		TLS      []any             `json:"tls"`
	} `json:"spec"`
}

type httpRoute struct {
	Name             string         `json:"name"`
	Match            []httpMatch    `json:"match"`
	Route            []routeDest    `json:"route"`
	Redirect         *httpRedirect  `json:"redirect"`
	Rewrite          *httpRewrite   `json:"rewrite"`
	Timeout          string         `json:"timeout"`
	Retries          *httpRetry     `json:"retries"`
	Headers          *headers       `json:"headers"`
	Mirror           *destination   `json:"mirror"`
	MirrorPercentage *percent       `json:"mirrorPercentage"`
	Mirrors          []mirrorPolicy `json:"mirrors"`
	CorsPolicy       *corsPolicy    `json:"corsPolicy"`
	Fault            *struct {
		Delay *struct {
			FixedDelay string   `json:"fixedDelay"`
			Percentage *percent `json:"percentage"`
		} `json:"delay"`
		Abort *struct {
			HTTPStatus int32    `json:"httpStatus"`
			Percentage *percent `json:"percentage"`
		} `json:"abort"`
	} `json:"fault"`
	DirectResponse *struct {
		Status int32 `json:"status"`
		Body   *struct {
			String *string `json:"string"`
			Bytes  []byte  `json:"bytes"`
		} `json:"body"`
	} `json:"directResponse"`
	raw        map[string]any // for the feature table
	rawMatches []map[string]any
}

type httpMatch struct {
	Name        string                 `json:"name"`
	URI         *stringMatch           `json:"uri"`
	Headers     map[string]stringMatch `json:"headers"`
	QueryParams map[string]stringMatch `json:"queryParams"`
	Method      *stringMatch           `json:"method"`
	Gateways    []string               `json:"gateways"`
}

type stringMatch struct {
	Exact  *string `json:"exact"`
	Prefix *string `json:"prefix"`
	Regex  *string `json:"regex"`
}

type routeDest struct {
	Destination destination `json:"destination"`
	Weight      *int32      `json:"weight"`
}

type destination struct {
	Host   string `json:"host"`
	Subset string `json:"subset"`
	Port   *struct {
		Number int32 `json:"number"`
	} `json:"port"`
}

type httpRedirect struct {
	URI          string `json:"uri"`
	Authority    string `json:"authority"`
	Port         int32  `json:"port"`
	Scheme       string `json:"scheme"`
	RedirectCode int    `json:"redirectCode"`
}

type httpRewrite struct {
	URI             *string `json:"uri"`
	Authority       string  `json:"authority"`
	URIRegexRewrite *struct {
		Match   string `json:"match"`
		Rewrite string `json:"rewrite"`
	} `json:"uriRegexRewrite"`
}

type httpRetry struct {
	Attempts      *int32 `json:"attempts"`
	PerTryTimeout string `json:"perTryTimeout"`
	RetryOn       string `json:"retryOn"`
}

type headers struct {
	Request  *headerOps `json:"request"`
	Response *headerOps `json:"response"`
}

type headerOps struct {
	Set    map[string]string `json:"set"`
	Add    map[string]string `json:"add"`
	Remove []string          `json:"remove"`
}

type percent struct {
	Value float64 `json:"value"`
}

type mirrorPolicy struct {
	Destination destination `json:"destination"`
	Percentage  *percent    `json:"percentage"`
}

type corsPolicy struct {
	AllowOrigins     []stringMatch `json:"allowOrigins"`
	AllowOrigin      []string      `json:"allowOrigin"`
	AllowMethods     []string      `json:"allowMethods"`
	AllowHeaders     []string      `json:"allowHeaders"`
	ExposeHeaders    []string      `json:"exposeHeaders"`
	MaxAge           string        `json:"maxAge"`
	AllowCredentials *bool         `json:"allowCredentials"`
}

// The security API and the mesh config: Kubeflow's ingress authentication.

type meshConfig struct {
	RootNamespace      string              `json:"rootNamespace"`
	ExtensionProviders []extensionProvider `json:"extensionProviders"`
}

type extensionProvider struct {
	Name              string        `json:"name"`
	EnvoyExtAuthzHTTP *extAuthzHTTP `json:"envoyExtAuthzHttp"`
	EnvoyExtAuthzGRPC *extAuthzGRPC `json:"envoyExtAuthzGrpc"`
}

type extAuthzHTTP struct {
	Service                      string   `json:"service"`
	Port                         int32    `json:"port"`
	PathPrefix                   string   `json:"pathPrefix"`
	Timeout                      string   `json:"timeout"`
	FailOpen                     bool     `json:"failOpen"`
	StatusOnError                string   `json:"statusOnError"`
	IncludeRequestHeadersInCheck []string `json:"includeRequestHeadersInCheck"`
	HeadersToUpstreamOnAllow     []string `json:"headersToUpstreamOnAllow"`
	HeadersToDownstreamOnDeny    []string `json:"headersToDownstreamOnDeny"`
	HeadersToDownstreamOnAllow   []string `json:"headersToDownstreamOnAllow"`
}

type extAuthzGRPC struct {
	Service  string `json:"service"`
	Port     int32  `json:"port"`
	Timeout  string `json:"timeout"`
	FailOpen bool   `json:"failOpen"`
}

type authorizationPolicy struct {
	Spec struct {
		Selector *labelSelector `json:"selector"`
		Action   string         `json:"action"`
		Provider *struct {
			Name string `json:"name"`
		} `json:"provider"`
		Rules []authorizationRule `json:"rules"`
	} `json:"spec"`
}

type labelSelector struct {
	MatchLabels map[string]string `json:"matchLabels"`
}

type authorizationRule struct {
	From []struct {
		Source map[string][]string `json:"source"`
	} `json:"from"`
	To []struct {
		Operation map[string][]string `json:"operation"`
	} `json:"to"`
	When []map[string]any `json:"when"`
}

// matchesAll reports whether the rule matches every request (an empty rule).
func (r authorizationRule) matchesAll() bool {
	return len(r.From) == 0 && len(r.To) == 0 && len(r.When) == 0
}

type requestAuthentication struct {
	Spec struct {
		Selector *labelSelector `json:"selector"`
		JWTRules []jwtRule      `json:"jwtRules"`
	} `json:"spec"`
}

type jwtRule struct {
	Issuer      string   `json:"issuer"`
	Audiences   []string `json:"audiences"`
	JwksURI     string   `json:"jwksUri"`
	Jwks        string   `json:"jwks"`
	FromHeaders []struct {
		Name   string `json:"name"`
		Prefix string `json:"prefix"`
	} `json:"fromHeaders"`
	FromParams           []string `json:"fromParams"`
	OutputClaimToHeaders []struct {
		Header string `json:"header"`
		Claim  string `json:"claim"`
	} `json:"outputClaimToHeaders"`
	ForwardOriginalToken  bool   `json:"forwardOriginalToken"`
	OutputPayloadToHeader string `json:"outputPayloadToHeader"`
}

// parseVirtualService decodes a VirtualService's spec.
func parseVirtualService(o *fn.KubeObject) (*virtualService, error) {
	vs := &virtualService{obj: o}
	if err := kit.As(&o.SubObject, vs); err != nil {
		return nil, kit.Errorf(o, "spec", "%v", err)
	}
	return vs, nil
}

// parseHTTPRoute decodes spec.http[i], keeping the raw maps for the table.
func parseHTTPRoute(o *fn.KubeObject, i int, raw json.RawMessage) (*httpRoute, error) {
	r := &httpRoute{}
	if err := json.Unmarshal(raw, r); err != nil {
		return nil, kit.Errorf(o, httpPath(i), "%v", err)
	}
	if err := json.Unmarshal(raw, &r.raw); err != nil {
		return nil, kit.Errorf(o, httpPath(i), "%v", err)
	}
	var m struct {
		Match []map[string]any `json:"match"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, kit.Errorf(o, httpPath(i)+".match", "%v", err)
	}
	r.rawMatches = m.Match
	return r, nil
}

// serviceHost splits a destination host into a Service name and namespace
// the way Istio resolves it: a short name is in the VirtualService namespace;
// name.ns.svc.<domain> (or name.ns.svc) names a Service. ok is false for
// every other host (external names, other domains), which Istio does not
// resolve to a Kubernetes Service either.
func serviceHost(host, vsNamespace, domain string) (name, namespace string, ok bool) {
	if host == "" || strings.ContainsAny(host, "*/") {
		return "", "", false
	}
	if !strings.Contains(host, ".") {
		return host, vsNamespace, true
	}
	h, found := strings.CutSuffix(host, ".svc."+domain)
	if !found {
		if h, found = strings.CutSuffix(host, ".svc"); !found {
			return "", "", false
		}
	}
	name, namespace, ok = strings.Cut(h, ".")
	if !ok || strings.Contains(namespace, ".") || name == "" || namespace == "" {
		return "", "", false
	}
	return name, namespace, true
}

func httpPath(i int) string { return "spec.http[" + strconv.Itoa(i) + "]" }
