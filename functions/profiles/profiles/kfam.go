package profiles

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/istio"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// ManagedByLabel, with value ManagedBy, marks every object this function
// renders. It is the marker other writers go by: the run-time controller
// leaves objects carrying it (and ambient-mesh's objects derived from them,
// which inherit it) to Git, argocd-apps puts them in the profiles
// Application, and a re-run of this function replaces them.
const (
	ManagedByLabel = kit.ManagedByLabel
	ManagedBy      = kit.ManagedByProfiles
)

// What the profile controller and kfam read on the objects.
const (
	// ownerAnnotation on a Namespace that already exists makes the profile
	// controller adopt it for the Profile of that owner, without an owner
	// reference: deleting the Profile then leaves the namespace alone.
	ownerAnnotation = "owner"
	// injectionLabel is the label the profile controller puts on the
	// namespaces it creates (and never again): the sidecar-era default.
	injectionLabel = "istio-injection"
	// kfam lists a RoleBinding as a contributor by these two annotations.
	userAnnotation = "user"
	roleAnnotation = "role"
	// survive is what Argo CD must never do to a profile's Namespace:
	// prune it when it leaves Git, or delete it with its Application.
	survive = "Prune=false,Delete=false"
)

// kfamNonAlphanumeric is kfam's getBindingName pattern.
var kfamNonAlphanumeric = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// BindingName is the name kfam gives the RoleBinding and the
// AuthorizationPolicy of a user's access to a namespace (getBindingName in
// kubeflow's access-management/kfam/bindings.go): "User", the e-mail with
// every run of non-alphanumerics replaced by "-", "ClusterRole" and the role,
// joined by "-", lowercased, and the runs replaced once more (which merges
// the dashes around a leading or trailing symbol of the e-mail).
func BindingName(email, role string) string {
	raw := strings.ToLower(strings.Join([]string{"User", kfamNonAlphanumeric.ReplaceAllString(email, "-"), "ClusterRole", role}, "-"))
	return kfamNonAlphanumeric.ReplaceAllString(raw, "-")
}

// kfamSettings are what kfam and the profile controller take from the
// profiles-config ConfigMap: the principals allowed to send the user-id
// header, the header and the prefix of its value.
type kfamSettings struct {
	ingressPrincipal, kfpUIPrincipal, userIDHeader, userIDPrefix string
	from                                                         *fn.KubeObject // nil: defaults
}

// The ConfigMap keys, and the values kfam falls back to when a key is empty
// or absent (GetEnvDefault, and the manifests' header).
var kfamSettingKeys = []struct {
	key, fallback string
	set           func(*kfamSettings, string)
}{
	{"ISTIO_INGRESS_GATEWAY_PRINCIPAL", istio.IngressGatewayPrincipal, func(s *kfamSettings, v string) { s.ingressPrincipal = v }},
	{"KFP_UI_PRINCIPAL", "cluster.local/ns/kubeflow/sa/ml-pipeline-ui", func(s *kfamSettings, v string) { s.kfpUIPrincipal = v }},
	{"USERID_HEADER", "kubeflow-userid", func(s *kfamSettings, v string) { s.userIDHeader = v }},
	{"USERID_PREFIX", "", func(s *kfamSettings, v string) { s.userIDPrefix = v }},
}

// readKfamSettings reads the bundle's profiles-config. Two matching
// ConfigMaps that disagree are an error: which one the pods mount is not
// knowable here.
func readKfamSettings(items fn.KubeObjects, ref ConfigMapName) (kfamSettings, error) {
	var s kfamSettings
	var data map[string]string
	if ref.Name != "" {
		match := kit.ConfigMapRef{Namespace: ref.Namespace, Name: ref.Name}
		for _, o := range items {
			if !match.Matches(o) {
				continue
			}
			d, _, err := o.NestedStringMap("data")
			if err != nil {
				return s, kit.Errorf(o, "data", "%v", err)
			}
			if s.from != nil && !sameSettings(data, d) {
				return s, kit.Errorf(o, "data", "disagrees with ConfigMap %s/%s on the kfam settings; keep one", s.from.GetNamespace(), s.from.GetName())
			}
			s.from, data = o, d
		}
	}
	for _, k := range kfamSettingKeys {
		v := data[k.key]
		if v == "" {
			v = k.fallback
		}
		k.set(&s, v)
	}
	return s, nil
}

func sameSettings(a, b map[string]string) bool {
	for _, k := range kfamSettingKeys {
		if a[k.key] != b[k.key] {
			return false
		}
	}
	return true
}

// describe names where the settings came from, for the summary.
func (s kfamSettings) describe() string {
	if s.from == nil {
		return "kfam's defaults"
	}
	return fmt.Sprintf("ConfigMap %s/%s", s.from.GetNamespace(), s.from.GetName())
}
