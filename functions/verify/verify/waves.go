package verify

import (
	"errors"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/argocd"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

const waveField = "metadata.annotations." + argocd.SyncWaveAnnotation

// hasWaves reports whether the bundle is ordered by sync waves at all. A
// bundle without any (not run through set-sync-wave) relies on Argo CD's
// kind order alone; the wave checks say so once instead of failing on every
// custom resource.
func hasWaves(b *bundle, r *reporter) bool {
	for _, o := range b.items {
		if _, ok := o.GetAnnotations()[argocd.SyncWaveAnnotation]; ok {
			return true
		}
	}
	kit.Summary(r.results, "%s: no object has a sync wave; skipped (run set-sync-wave first to order the bundle)", r.check)
	return false
}

// validWaves reports malformed sync-wave annotations (Argo CD fails the
// sync on them) and returns the objects whose wave can be compared.
func validWaves(b *bundle, r *reporter) map[*fn.KubeObject]bool {
	ok := make(map[*fn.KubeObject]bool, len(b.items))
	for _, o := range b.items {
		if _, _, err := argocd.SyncWave(o); err != nil {
			r.errorf(o, waveField, "%v", errors.Unwrap(err))
			continue
		}
		ok[o] = true
	}
	return ok
}

// checkCRDWaves: Argo CD applies a wave only after the previous one is
// healthy, and a CRD is healthy once Established; a custom resource in the
// CRD's own wave is applied before the API exists.
func checkCRDWaves(b *bundle, r *reporter) error {
	if !hasWaves(b, r) {
		return nil
	}
	valid := validWaves(b, r)
	for _, o := range b.items {
		crd := b.crds[kit.GroupKindOf(o)]
		if crd == nil || !valid[o] || !valid[crd] {
			continue
		}
		if b.wave(o) <= b.wave(crd) {
			r.errorf(o, waveField, "sync wave %d is not after wave %d of its CRD %s", b.wave(o), b.wave(crd), crd.GetName())
		}
	}
	return nil
}

// checkWebhookWaves: a fail-closed webhook rejects what it intercepts until
// its backend runs, so everything it intercepts must come in a later wave
// than the backend workload.
func checkWebhookWaves(b *bundle, r *reporter) error {
	if !hasWaves(b, r) {
		return nil
	}
	valid := map[*fn.KubeObject]bool{}
	for _, o := range b.items {
		if _, _, err := argocd.SyncWave(o); err == nil {
			valid[o] = true
		}
	}
	requests := b.admission.Requests(b.items)
	for _, gk := range []kit.GroupKind{kit.MutatingWebhookConfigurationKind, kit.ValidatingWebhookConfigurationKind} {
		for _, cfg := range b.byKind[gk] {
			hooks, err := kit.AdmissionWebhooks(cfg)
			if err != nil {
				return err
			}
			for _, h := range hooks {
				if !h.FailClosed {
					continue
				}
				backend, ok := b.webhookBackend(h)
				if !ok || !valid[backend] {
					continue
				}
				for _, i := range requests.Intercepted(h) {
					o := b.items[i]
					if !valid[o] || b.wave(o) > b.wave(backend) {
						continue
					}
					r.errorf(o, waveField, "sync wave %d is not after wave %d of %s, which serves webhook %s of %s %s (failurePolicy Fail): the API server would reject it until that backend runs",
						b.wave(o), b.wave(backend), kit.Describe(backend), h.Name, cfg.GetKind(), cfg.GetName())
				}
			}
		}
	}
	return nil
}
