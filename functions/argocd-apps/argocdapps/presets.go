package argocdapps

import (
	"reflect"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/preset"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// GroupWorkloads is the generic preset's stage for what follows the
// infrastructure (Kubeflow's is GroupKubeflow; "apps" is taken by the
// Applications' directory).
const GroupWorkloads = "workloads"

// GenericPlaceholderRepoURL is the generic preset's source.repoURL; the same
// warning asks for the real one.
const GenericPlaceholderRepoURL = "https://github.com/example/gitops.git"

// GenericDefaults is the layout for a bundle that is not Kubeflow: the same
// stages by wave, without Kubeflow's names and without the profiles stage
// (Profiles are Kubeflow's kind); Applications named after their group
// alone, under a root named for what it is.
func GenericDefaults() Config {
	cfg := Defaults()
	cfg.Groups = []Group{
		{Name: GroupCRDs, Wave: kit.Ptr(-2)},
		{Name: GroupCertManager, Wave: kit.Ptr(-1)},
		{Name: GroupInfrastructure, Wave: kit.Ptr(0)},
		{Name: GroupWorkloads, Wave: kit.Ptr(1)},
	}
	cfg.Rules = nil
	for _, r := range DefaultRules() {
		switch {
		case r.Group == GroupProfiles:
			continue
		case r.Group == GroupKubeflow:
			r.Group = GroupWorkloads
		}
		cfg.Rules = append(cfg.Rules, r)
	}
	cfg.DefaultGroup = GroupWorkloads
	cfg.ApplicationNamePrefix = ""
	cfg.RootApplication = "app-of-apps"
	cfg.Source.RepoURL = GenericPlaceholderRepoURL
	return cfg
}

// resolvePreset reports the preset and, under generic, gives every field
// that still holds its Kubeflow default the generic value. The stages
// (groups, rules, defaultGroup) go together: rules name groups, so a config
// that changed any of them keeps all three as given.
func resolvePreset(items fn.KubeObjects, given *Config, results *fn.Results) *Config {
	res := preset.Resolve(given.Preset, items)
	kit.Info(results, nil, "", "preset %s (%s)", res.Preset, res.Reason)
	if res.Preset != preset.Generic {
		return given
	}
	cfg, kubeflow, generic := *given, Defaults(), GenericDefaults()
	if reflect.DeepEqual(cfg.Groups, kubeflow.Groups) && reflect.DeepEqual(cfg.Rules, kubeflow.Rules) &&
		cfg.DefaultGroup == kubeflow.DefaultGroup {
		cfg.Groups, cfg.Rules, cfg.DefaultGroup = generic.Groups, generic.Rules, generic.DefaultGroup
		if cfg.Emit == EmitGroupPrefix+GroupKubeflow {
			cfg.Emit = EmitGroupPrefix + GroupWorkloads
		}
	}
	for _, f := range []struct{ field, kubeflow, generic *string }{
		{&cfg.ApplicationNamePrefix, &kubeflow.ApplicationNamePrefix, &generic.ApplicationNamePrefix},
		{&cfg.RootApplication, &kubeflow.RootApplication, &generic.RootApplication},
		{&cfg.Source.RepoURL, &kubeflow.Source.RepoURL, &generic.Source.RepoURL},
	} {
		if *f.field == *f.kubeflow {
			*f.field = *f.generic
		}
	}
	return &cfg
}
