package kgatewayroute

import (
	"regexp"
	"sort"
	"strings"
)

// The feature table: every field of a VirtualService HTTP route that this
// function knows, per nesting level, with how it is handled. A field listed
// with a reason is not converted and is reported as a warning with that
// reason; a field missing from its table is unknown and reported likewise.
// Converted fields have an empty reason; the conversion is in convert.go,
// matches.go, rewrite.go, filters.go and trafficpolicy.go.
type fieldTable map[string]string

const converted = ""

var (
	httpRouteFields = fieldTable{
		"name": converted, "match": converted, "route": converted, "redirect": converted,
		"rewrite": converted, "timeout": converted, "retries": converted, "headers": converted,
		"mirror": converted, "mirrorPercentage": converted, "mirrors": converted, "corsPolicy": converted,
		"mirrorPercent": "deprecated mirrorPercent is not converted; use mirrorPercentage",
		"fault":         converted, "directResponse": converted,
		"delegate": "delegation has no Gateway API equivalent here; convert the delegate VirtualService's routes by hand",
	}
	matchFields = fieldTable{
		"name": converted, "uri": converted, "headers": converted, "queryParams": converted,
		"method": converted, "gateways": converted,
		"ignoreUriCase":   "case-insensitive path matching has no Gateway API equivalent",
		"withoutHeaders":  "negative header matches have no Gateway API equivalent",
		"sourceLabels":    "source-workload matches do not apply at an ingress gateway",
		"sourceNamespace": "source-namespace matches do not apply at an ingress gateway",
		"port":            "port matches are expressed by listeners, not routes",
		"scheme":          "scheme matches have no Gateway API equivalent",
		"authority":       "authority matches belong in hostnames; not converted per match",
		"statPrefix":      "statPrefix has no Gateway API equivalent",
	}
	rewriteFields = fieldTable{
		"uri": converted, "authority": converted, "uriRegexRewrite": converted,
	}
	redirectFields = fieldTable{
		"uri": converted, "authority": converted, "port": converted, "scheme": converted, "redirectCode": converted,
		"derivePort": "derivePort has no Gateway API equivalent",
	}
	routeDestinationFields = fieldTable{
		"destination": converted, "weight": converted,
		"headers": "per-destination header operations have no Gateway API equivalent",
	}
	destinationFields = fieldTable{
		"host": converted, "port": converted, "subset": converted,
	}
	retryFields = fieldTable{
		"attempts": converted, "perTryTimeout": converted, "retryOn": converted,
		"retryRemoteLocalities": "retryRemoteLocalities has no kgateway equivalent",
	}
	corsFields = fieldTable{
		"allowOrigins": converted, "allowOrigin": converted, "allowMethods": converted, "allowHeaders": converted,
		"exposeHeaders": converted, "maxAge": converted, "allowCredentials": converted,
		"unmatchedPreflights": "unmatchedPreflights has no Gateway API equivalent",
	}
	headersFields = fieldTable{"request": converted, "response": converted}
	faultFields   = fieldTable{"delay": converted, "abort": converted}
	delayFields   = fieldTable{"fixedDelay": converted, "percentage": converted,
		"exponentialDelay": "exponential delays have no kgateway equivalent",
		"percent":          "deprecated percent is not converted; use percentage"}
	abortFields = fieldTable{"httpStatus": converted, "percentage": converted,
		"grpcStatus": "gRPC status aborts are not converted (kgateway takes a numeric code)",
		"http2Error": "HTTP/2 error aborts have no kgateway equivalent"}
	directResponseFields = fieldTable{"status": converted, "body": converted}
)

// unconverted lists the fields of m the table does not convert, sorted, with
// their reasons.
func (t fieldTable) unconverted(m map[string]any) []droppedField {
	var out []droppedField
	for k := range m {
		reason, known := t[k]
		if !known {
			reason = "unknown field, not converted"
		}
		if reason != converted {
			out = append(out, droppedField{k, reason})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].field < out[j].field })
	return out
}

type droppedField struct{ field, reason string }

// Istio retryOn conditions kgateway accepts as they are (the Envoy names).
var retryOnConditions = map[string]bool{
	"5xx": true, "gateway-error": true, "reset": true, "reset-before-request": true, "connect-failure": true,
	"envoy-ratelimited": true, "retriable-4xx": true, "refused-stream": true, "retriable-status-codes": true,
	"http3-post-connect-failure": true, "cancelled": true, "deadline-exceeded": true, "internal": true,
	"resource-exhausted": true, "unavailable": true,
}

// istioDefaultRetryOn is what Istio retries on when retries.retryOn is unset.
const istioDefaultRetryOn = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"

// Gateway API HTTP methods (HTTPMethod enum).
var httpMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true,
	"CONNECT": true, "OPTIONS": true, "TRACE": true, "PATCH": true,
}

// Redirect codes Gateway API accepts.
var redirectCodes = map[int]bool{301: true, 302: true, 303: true, 307: true, 308: true}

var (
	hostnamePattern   = regexp.MustCompile(`^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	headerNamePattern = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$`)
	sectionName       = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	pathChars         = regexp.MustCompile(`^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$`)
)

// validPrefixPath reports whether a value is accepted by the HTTPRoute CRD
// as an Exact or PathPrefix path value.
func validPrefixPath(p string) bool {
	if !strings.HasPrefix(p, "/") || len(p) > 1024 || !pathChars.MatchString(p) {
		return false
	}
	for _, bad := range []string{"//", "/./", "/../", "%2f", "%2F", "#"} {
		if strings.Contains(p, bad) {
			return false
		}
	}
	return !strings.HasSuffix(p, "/..") && !strings.HasSuffix(p, "/.")
}
