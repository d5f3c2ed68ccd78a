package syncwave

import (
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
)

const optionsField = "metadata.annotations." + argocd.SyncOptionsAnnotation

// needsServerSideApply reports whether the config asks for ServerSideApply
// on the CRD.
func needsServerSideApply(n *node, cfg *Config) (bool, int) {
	switch cfg.ServerSideApplyCRDs {
	case SSAAll:
		return true, 0
	case SSALarge:
		size := kit.CompactJSONSize(n.obj)
		return size > kit.MaxAnnotationsSize, size
	}
	return false, 0
}

// addSyncOptions adds ServerSideApply=true to CRDs that need it and
// SkipDryRunOnMissingResource=true to custom resources of the bundle's CRDs,
// keeping every option already set.
func (r *report) addSyncOptions(b *bundle, cfg *Config) error {
	for _, n := range b.nodes {
		switch {
		case n.gk == kit.CustomResourceDefinitionKind:
			if need, _ := needsServerSideApply(n, cfg); !need {
				continue
			}
			added, err := argocd.AddSyncOption(n.obj, "ServerSideApply", "true")
			if err != nil {
				return err
			}
			if added {
				r.serverSideApply++
			}
		case cfg.SkipDryRunForBundledCRDs && b.crds[n.gk] != nil:
			added, err := argocd.AddSyncOption(n.obj, "SkipDryRunOnMissingResource", "true")
			if err != nil {
				return err
			}
			if added {
				r.skipDry++
			}
		}
	}
	return nil
}

// checkServerSideApply reports CRDs that client-side apply cannot store and
// that neither ServerSideApply=true nor Replace=true lets Argo CD apply.
func (r *report) checkServerSideApply(b *bundle, cfg *Config) {
	for _, n := range b.nodes {
		if n.gk != kit.CustomResourceDefinitionKind {
			continue
		}
		need, size := needsServerSideApply(n, cfg)
		ssa, _ := argocd.SyncOption(n.obj, "ServerSideApply")
		replace, _ := argocd.SyncOption(n.obj, "Replace")
		if need && ssa != "true" && replace != "true" {
			if size > 0 {
				kit.Error(r.results, n.obj, optionsField, "%d bytes as compact JSON, over the %d-byte annotation limit of client-side apply, and no ServerSideApply=true (or Replace=true)", size, kit.MaxAnnotationsSize)
			} else {
				kit.Error(r.results, n.obj, optionsField, "no ServerSideApply=true (serverSideApplyCRDs is %s)", cfg.ServerSideApplyCRDs)
			}
		}
	}
}
