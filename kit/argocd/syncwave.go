package argocd

import (
	"strconv"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
)

// Argo CD annotations that order a sync and tune how objects are applied.
const (
	SyncWaveAnnotation    = "argocd.argoproj.io/sync-wave"
	SyncOptionsAnnotation = "argocd.argoproj.io/sync-options"
)

// SyncWave reads the object's Argo CD sync wave: the wave, whether the
// annotation is present, and an error when it is present but not an integer
// (Argo CD would silently treat such a value as wave 0).
func SyncWave(o *fn.KubeObject) (int, bool, error) {
	v, ok := o.GetAnnotations()[SyncWaveAnnotation]
	if !ok {
		return 0, false, nil
	}
	wave, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, true, kit.Errorf(o, "metadata.annotations."+SyncWaveAnnotation, "%q is not an integer (Argo CD would read it as wave 0)", v)
	}
	return wave, true, nil
}

// SyncOptions lists the object's comma-separated Argo CD sync options, in order.
func SyncOptions(o *fn.KubeObject) []string {
	var out []string
	for _, opt := range strings.Split(o.GetAnnotation(SyncOptionsAnnotation), ",") {
		if opt = strings.TrimSpace(opt); opt != "" {
			out = append(out, opt)
		}
	}
	return out
}

// SyncOption returns the value of one sync option ("ServerSideApply") and
// whether the object sets it.
func SyncOption(o *fn.KubeObject, key string) (string, bool) {
	for _, opt := range SyncOptions(o) {
		if k, v, _ := strings.Cut(opt, "="); k == key {
			return v, true
		}
	}
	return "", false
}

// AddSyncOption appends key=value to the object's sync options unless the
// option is already set, to any value: a value someone chose is never
// overridden. It reports whether it changed the object.
func AddSyncOption(o *fn.KubeObject, key, value string) (bool, error) {
	if _, set := SyncOption(o, key); set {
		return false, nil
	}
	opts := append(SyncOptions(o), key+"="+value)
	if err := o.SetAnnotation(SyncOptionsAnnotation, strings.Join(opts, ",")); err != nil {
		return false, kit.Errorf(o, "metadata.annotations."+SyncOptionsAnnotation, "%v", err)
	}
	return true, nil
}
