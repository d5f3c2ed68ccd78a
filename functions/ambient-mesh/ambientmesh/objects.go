package ambientmesh

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// The objects this function generates, written as structs so that their
// fields are fixed (sigs.k8s.io/yaml writes the keys sorted).

// header is what every generated object starts with; encoding/json inlines
// it.
type header struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   kit.ObjectMeta `json:"metadata"`
}

type targetRef struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	Name  string `json:"name"`
}

type matchLabels struct {
	MatchLabels map[string]string `json:"matchLabels"`
}

type authorizationPolicy struct {
	header
	Spec struct {
		Selector   *matchLabels `json:"selector,omitempty"`
		TargetRefs []targetRef  `json:"targetRefs,omitempty"`
		Action     string       `json:"action"`
		Rules      []any        `json:"rules,omitempty"`
	} `json:"spec"`
}

type waypointListener struct {
	Name     string `json:"name"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
}

type waypointGateway struct {
	header
	Spec struct {
		GatewayClassName string             `json:"gatewayClassName"`
		Listeners        []waypointListener `json:"listeners"`
	} `json:"spec"`
}

// generatedMeta names a generated object, marks it as ours (so a second run
// leaves it alone) and tells kpt which file to write it to.
func generatedMeta(kind, ns, name, forPolicy string) kit.ObjectMeta {
	a := map[string]string{generatedByAnnotation: FunctionName}
	if forPolicy != "" {
		a[generatedForAnnotation] = forPolicy
	}
	return kit.GeneratedMeta(FunctionName, kind, ns, name, a)
}

// Suffixes of the policies derived from a source policy: its ztunnel
// companion, and its rules enforced at the waypoint (a copy of a policy
// ztunnel enforces; at run time also the re-targeted copy of a moved one).
const (
	companionSuffix    = "-ztunnel"
	waypointCopySuffix = "-waypoint"
)

// derivedName names an object derived from source: source+suffix, or, when
// that would pass the 253 characters of an object name, source cut short
// with a hash of the whole of it before the suffix, so that two long
// sources never share a derived name.
func derivedName(source, suffix string) string {
	if len(source)+len(suffix) <= validation.DNS1123SubdomainMaxLength {
		return source + suffix
	}
	h := nameHash(source)
	cut := strings.TrimRight(source[:validation.DNS1123SubdomainMaxLength-len(suffix)-len(h)-1], "-.")
	return cut + "-" + h + suffix
}

// labelValue is name as a label value: itself when it fits the 63
// characters of a label value, else cut short with a hash of the whole.
func labelValue(name string) string {
	if len(name) <= content.LabelValueMaxLength {
		return name
	}
	h := nameHash(name)
	return strings.TrimRight(name[:content.LabelValueMaxLength-len(h)-1], "-._") + "-" + h
}

func nameHash(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])[:10]
}

func newWaypoint(ns, name string) (*fn.KubeObject, error) {
	var g waypointGateway
	g.APIVersion, g.Kind = kit.GroupGatewayAPI+"/v1", "Gateway"
	g.Metadata = generatedMeta("Gateway", ns, name, "")
	g.Metadata.Labels = map[string]string{waypointForLabel: "service"}
	g.Spec.GatewayClassName = waypointClass
	g.Spec.Listeners = []waypointListener{{Name: "mesh", Port: hbonePort, Protocol: "HBONE"}}
	return toObject(g)
}

func toObject(v any) (*fn.KubeObject, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	return fn.ParseKubeObject(b)
}

func rulesAny(rules []map[string]any) []any {
	out := make([]any, len(rules))
	for i, r := range rules {
		out[i] = r
	}
	return out
}

type networkPolicyPort struct {
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
}

type networkPolicyRule struct {
	From  []any               `json:"from,omitempty"`
	Ports []networkPolicyPort `json:"ports"`
}

type networkPolicyObject struct {
	header
	Spec struct {
		PodSelector matchLabels         `json:"podSelector"`
		Ingress     []networkPolicyRule `json:"ingress"`
		PolicyTypes []string            `json:"policyTypes"`
	} `json:"spec"`
}
