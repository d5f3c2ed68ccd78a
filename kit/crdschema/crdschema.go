// Package crdschema validates objects against CustomResourceDefinitions the
// way kube-apiserver does, with k8s.io/apiextensions-apiserver's own code:
// structural defaulting, unknown-field detection (pruning), the OpenAPI
// schema, and the x-kubernetes-validations CEL rules.
package crdschema

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// FieldError is one validation failure of one object.
type FieldError struct {
	Field   string // field path, e.g. spec.rules[0].matches[0].path
	Message string
}

func (e FieldError) String() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Validator holds the schemas of the CRDs added to it, per group/version/kind.
type Validator struct {
	versions map[schema.GroupVersionKind]*crdVersion
}

type crdVersion struct {
	structural *structuralschema.Structural
	schema     validation.SchemaValidator
	cel        *cel.Validator
}

// New returns an empty Validator.
func New() *Validator {
	return &Validator{versions: map[schema.GroupVersionKind]*crdVersion{}}
}

// AddFiles adds every CRD in the given YAML files; other documents are skipped.
func (v *Validator) AddFiles(paths ...string) error {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := v.AddYAML(b); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

// AddYAML adds every CRD in a multi-document YAML stream.
func (v *Validator) AddYAML(stream []byte) error {
	for _, doc := range bytes.Split(stream, []byte("\n---")) {
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var head struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil || head.Kind != "CustomResourceDefinition" {
			continue
		}
		var crd apiextv1.CustomResourceDefinition
		if err := yaml.Unmarshal(doc, &crd); err != nil {
			return fmt.Errorf("decoding CRD: %w", err)
		}
		if err := v.AddCRD(&crd); err != nil {
			return err
		}
	}
	return nil
}

// AddCRD adds one CRD's served versions.
func (v *Validator) AddCRD(crd *apiextv1.CustomResourceDefinition) error {
	for _, ver := range crd.Spec.Versions {
		if ver.Schema == nil || ver.Schema.OpenAPIV3Schema == nil {
			continue
		}
		var internal apiextensions.JSONSchemaProps
		if err := apiextv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(ver.Schema.OpenAPIV3Schema, &internal, nil); err != nil {
			return fmt.Errorf("CRD %s %s: %w", crd.Name, ver.Name, err)
		}
		structural, err := structuralschema.NewStructural(&internal)
		if err != nil {
			return fmt.Errorf("CRD %s %s: structural schema: %w", crd.Name, ver.Name, err)
		}
		sv, _, err := validation.NewSchemaValidator(&internal)
		if err != nil {
			return fmt.Errorf("CRD %s %s: %w", crd.Name, ver.Name, err)
		}
		gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: ver.Name, Kind: crd.Spec.Names.Kind}
		v.versions[gvk] = &crdVersion{
			structural: structural,
			schema:     sv,
			cel:        cel.NewValidator(structural, true, celconfig.PerCallLimit),
		}
	}
	return nil
}

// Knows reports whether a CRD for the apiVersion and kind was added.
func (v *Validator) Knows(apiVersion, kind string) bool {
	_, ok := v.versions[schema.FromAPIVersionAndKind(apiVersion, kind)]
	return ok
}

// ValidateYAML validates one object given as YAML or JSON. known is false
// when no CRD for its apiVersion and kind was added.
func (v *Validator) ValidateYAML(doc []byte) (errs []FieldError, known bool, err error) {
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, false, err
	}
	var obj map[string]any
	if err := utiljson.Unmarshal(j, &obj); err != nil { // integers as int64, as the apiserver decodes them
		return nil, false, err
	}
	errs, known = v.Validate(obj)
	return errs, known, nil
}

// Validate validates a decoded object (integers as int64). The object is
// defaulted in place first, as the apiserver does before validating.
func (v *Validator) Validate(obj map[string]any) (errs []FieldError, known bool) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	ver, ok := v.versions[schema.FromAPIVersionAndKind(apiVersion, kind)]
	if !ok {
		return nil, false
	}
	defaulting.Default(obj, ver.structural)
	probe := runtime.DeepCopyJSON(obj)
	unknown := pruning.PruneWithOptions(probe, ver.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, p := range unknown {
		errs = append(errs, FieldError{Field: p, Message: "unknown field (the apiserver drops it, or rejects it under strict field validation)"})
	}
	for _, e := range validation.ValidateCustomResource(nil, obj, ver.schema) {
		errs = append(errs, FieldError{Field: strings.TrimPrefix(e.Field, "<nil>."), Message: e.ErrorBody()})
	}
	celErrs, _ := ver.cel.Validate(context.Background(), nil, ver.structural, obj, nil, celconfig.RuntimeCELCostBudget)
	for _, e := range celErrs {
		errs = append(errs, FieldError{Field: strings.TrimPrefix(e.Field, "<nil>."), Message: e.ErrorBody()})
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return errs, true
}
