package kit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Function is one KRM function of this project, runnable alone (as its own
// binary) or as a step of the in-process chain.
type Function interface {
	// Name is the function's name, e.g. "strip-istio-sidecar".
	Name() string
	// ConfigKind is the kind of its typed functionConfig, e.g. "StripIstioSidecar".
	ConfigKind() string
	// Process decodes rl.FunctionConfig and edits rl in place, appending
	// results. It reports false when an error result was produced.
	Process(rl *fn.ResourceList) bool
	// ProcessJSON is Process with the config given as JSON (a nested part of
	// the chain's config); nil means defaults.
	ProcessJSON(rl *fn.ResourceList, config json.RawMessage) bool
	// RemovableKinds are the kinds the function documents removing; any
	// other object that disappears is a bug (the conformance suite checks).
	RemovableKinds() []GroupKind
	// SetsPathAnnotations reports whether the function documents rewriting
	// the path and index annotations (to lay out the package kpt writes).
	SetsPathAnnotations() bool
}

// Definition builds a Function from a typed config and a Run step. The
// config embeds Diagnostics: its failOn is enforced here, after Run.
type Definition[C Config] struct {
	FunctionName string
	Kind         string
	// Defaults returns the config used when none is given: the Kubeflow
	// defaults, so that no functionConfig at all is right for upstream.
	Defaults func() C
	// Run edits rl (items may be added or removed; local-config items must
	// be left alone) and appends results to rl.Results. A returned error
	// becomes an error result; wrap it with Errorf to point at an object.
	Run func(rl *fn.ResourceList, cfg *C) error
	// Removes lists the kinds Run may delete.
	Removes []GroupKind
	// SetsPaths: Run rewrites config.kubernetes.io/path and index (and their
	// internal.* twins) on purpose; every other orchestrator annotation is
	// still kept byte for byte.
	SetsPaths bool
}

func (d Definition[C]) Name() string       { return d.FunctionName }
func (d Definition[C]) ConfigKind() string { return d.Kind }

func (d Definition[C]) RemovableKinds() []GroupKind { return d.Removes }

func (d Definition[C]) SetsPathAnnotations() bool { return d.SetsPaths }

func (d Definition[C]) Process(rl *fn.ResourceList) bool {
	cfg := d.Defaults()
	if err := DecodeConfig(rl.FunctionConfig, d.Kind, &cfg); err != nil {
		return d.fail(rl, err)
	}
	return d.run(rl, &cfg)
}

func (d Definition[C]) ProcessJSON(rl *fn.ResourceList, config json.RawMessage) bool {
	cfg := d.Defaults()
	if len(config) > 0 && string(config) != "null" {
		if err := DecodeJSON(config, &cfg); err != nil {
			return d.fail(rl, fmt.Errorf("config: %w", err))
		}
	}
	if err := validate(&cfg); err != nil {
		return d.fail(rl, fmt.Errorf("config: %w", err))
	}
	return d.run(rl, &cfg)
}

func (d Definition[C]) run(rl *fn.ResourceList, cfg *C) bool {
	failOn := (*cfg).diagnostics().FailOn
	if err := failOn.Validate(); err != nil {
		return d.fail(rl, fmt.Errorf("config: %w", err))
	}
	// Work in the SDK's output order, so results come out in the same order
	// whatever order the items arrived in, alone or in a chain.
	SortItems(rl.Items)
	if err := CheckUnique(rl.Items); err != nil {
		return d.fail(rl, err)
	}
	before := len(rl.Results)
	if err := d.Run(rl, cfg); err != nil {
		return d.fail(rl, err)
	}
	return failOn.Enforce(&rl.Results, rl.Results[before:], d.FunctionName)
}

func (d Definition[C]) fail(rl *fn.ResourceList, err error) bool {
	r := &fn.Result{Severity: fn.Error, Message: d.FunctionName + ": " + err.Error()}
	var oe *ObjectError
	if errors.As(err, &oe) {
		r = NewResult(fn.Error, oe.Object, oe.Field, "%s: %v", d.FunctionName, oe.Err)
	}
	r.Message = sdkTypeNames.Replace(r.Message)
	rl.Results = append(rl.Results, r)
	return false
}

// sdkTypeNames rewrites the SDK's accessor errors, which name its internal
// Go types, in the words of the YAML the user wrote.
var sdkTypeNames = func() *strings.Replacer {
	var pairs []string
	for goType, yamlType := range map[string]string{
		"*internal.SliceVariant": "a list", "*internal.MapVariant": "a mapping", "*internal.scalarVariant": "a scalar",
	} {
		pairs = append(pairs,
			"incorrect type, was "+goType, "wrong type: got "+yamlType,
			"wrong type, got: "+goType, "wrong type: got "+yamlType,
			goType, yamlType)
	}
	return strings.NewReplacer(pairs...)
}()
