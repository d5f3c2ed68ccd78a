package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// builtinAPIs are the GA API groups of kube-apiserver whose Go types decode
// objects here as the API server decodes them.
var builtinAPIs = []func(*runtime.Scheme) error{
	admissionregistrationv1.AddToScheme, appsv1.AddToScheme, autoscalingv1.AddToScheme, autoscalingv2.AddToScheme,
	batchv1.AddToScheme, certificatesv1.AddToScheme, coordinationv1.AddToScheme, corev1.AddToScheme,
	discoveryv1.AddToScheme, networkingv1.AddToScheme, nodev1.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme,
	schedulingv1.AddToScheme, storagev1.AddToScheme, apiextv1.AddToScheme,
}

var builtinScheme = sync.OnceValues(func() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	for _, add := range builtinAPIs {
		if err := add(s); err != nil {
			return nil, err
		}
	}
	return s, nil
})

// checkBuiltinSchemas decodes every object of a built-in kind into its Go
// type, strictly, as the API server does: a field of the wrong type (spec a
// list, containers a mapping, a port a string) or an unknown field is refused.
// Metadata is checked by object-meta.
func checkBuiltinSchemas(b *bundle, r *reporter) error {
	scheme, err := builtinScheme()
	if err != nil {
		return fmt.Errorf("built-in API types: %w", err)
	}
	for _, o := range b.items { // field-types reports the others
		gvk := schema.FromAPIVersionAndKind(o.GetAPIVersion(), o.GetKind())
		if !scheme.Recognizes(gvk) {
			continue
		}
		typed, err := scheme.New(gvk)
		if err != nil {
			return err
		}
		for _, e := range decodeTyped(o, typed) {
			if e.field != "metadata" && !strings.HasPrefix(e.field, "metadata.") {
				r.errorf(o, e.field, "%s", e.message)
			}
		}
	}
	return nil
}

type decodeProblem struct{ field, message string }

// decodeTyped decodes o into typed strictly and lists what the decoder
// refused: the first type error (the decoder stops checking types there) and
// every unknown or duplicate field.
func decodeTyped(o *fn.KubeObject, typed runtime.Object) []decodeProblem {
	var j []byte
	var err error
	_ = kit.EditRNode(o, func(rn *yaml.RNode) error {
		j, err = nodeJSON(rn.YNode())
		return nil
	})
	if err != nil {
		return []decodeProblem{{"", err.Error()}}
	}
	strict, err := sigsjson.UnmarshalStrict(j, typed)
	var out []decodeProblem
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		out = append(out, decodeProblem{te.Field, fmt.Sprintf("must be %s, not %s", kit.JSONTypeName(te.Type), jsonValueName(te.Value))})
	case err != nil:
		out = append(out, decodeProblem{"", strings.TrimPrefix(err.Error(), "json: ")})
	}
	for _, e := range strict {
		msg := e.Error()
		field := ""
		if _, quoted, ok := strings.Cut(msg, `"`); ok {
			field, _, _ = strings.Cut(quoted, `"`)
		}
		out = append(out, decodeProblem{field, msg})
	}
	return out
}

// jsonValueName names a JSON type as encoding/json reports it ("array",
// "object", "number 1") in YAML's words.
func jsonValueName(v string) string {
	switch {
	case v == "array":
		return "a list"
	case v == "object":
		return "a mapping"
	case v == "string":
		return "a string"
	case v == "bool":
		return "a boolean"
	case strings.HasPrefix(v, "number"):
		return "a number"
	}
	return v
}
