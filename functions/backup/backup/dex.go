package backup

import (
	"maps"
	"slices"
	"strings"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/yaml"
)

// dexConfig is the part of dex's config that says where its state lives.
type dexConfig struct {
	Storage struct {
		Type   string `json:"type"`
		Config struct {
			File string `json:"file"`
		} `json:"config"`
	} `json:"storage"`
}

// noteDex says what the auth Schedule holds of dex's storage, read from
// dex's config in the ConfigMap its pod mounts.
func (p *plan) noteDex(rs *fn.Results) {
	d := p.b.dex
	if d == nil {
		return
	}
	if p.setOf(d.obj.GetNamespace()) == "" {
		kit.Info(rs, d.obj, "", "dex %s: not backed up (data set %s off or namespace excluded): users re-authenticate, and passwords or clients added through dex's API are lost", d.describe(), DataSetAuth)
		return
	}
	cfg, found := p.dexConfig(*d)
	switch {
	case !found:
		kit.Warning(rs, d.obj, "spec.template.spec.volumes", "dex %s: no ConfigMap of its volumes in the bundle holds a config with storage.type: what its namespace's backup holds of dex's state is unknown", d.describe())
	case cfg.Storage.Type == "kubernetes":
		kit.Info(rs, d.obj, "", "dex %s: storage kubernetes: its state (refresh tokens, offline sessions, passwords and connectors added through its API) is dex.coreos.com custom resources in namespace %s, in the %s Schedule; dex creates their CRDs when it starts, so restore them after dex runs",
			d.describe(), d.obj.GetNamespace(), scheduleName(DataSetAuth))
	case cfg.Storage.Type == "sqlite3":
		p.noteDexSQLite(rs, *d, cfg.Storage.Config.File)
	case cfg.Storage.Type == "memory":
		kit.Info(rs, d.obj, "", "dex %s: storage memory: nothing of dex's state survives a restart, so there is none to back up (users log in again)", d.describe())
	default:
		kit.Warning(rs, d.obj, "", "dex %s: storage %s is outside the cluster: back that database up where it runs; the %s Schedule holds only the namespace's objects", d.describe(), cfg.Storage.Type, scheduleName(DataSetAuth))
	}
}

func (p *plan) noteDexSQLite(rs *fn.Results, d workload, file string) {
	for _, c := range d.pod.Spec.Containers {
		for _, m := range c.VolumeMounts {
			if claim, ok := d.claims[m.Name]; ok && strings.HasPrefix(file, strings.TrimSuffix(m.MountPath, "/")+"/") {
				kit.Info(rs, d.obj, "", "dex %s: storage sqlite3 at %s, on claim %s: backed up with its volume (crash-consistent; SQLite's journal makes that recoverable)", d.describe(), file, claim)
				return
			}
		}
	}
	kit.Warning(rs, d.obj, "", "dex %s: storage sqlite3 at %q is on no PersistentVolumeClaim: it is lost at every restart and no backup can carry it", d.describe(), file)
}

// dexConfig finds the config among the ConfigMaps dex's pod mounts.
func (p *plan) dexConfig(d workload) (dexConfig, bool) {
	for _, v := range d.pod.Spec.Volumes {
		if v.ConfigMap == nil {
			continue
		}
		cm := p.b.configMaps[d.obj.GetNamespace()+"/"+v.ConfigMap.Name]
		if cm == nil {
			continue
		}
		data, _, _ := cm.NestedStringMap("data")
		for _, key := range slices.Sorted(maps.Keys(data)) {
			var cfg dexConfig
			if yaml.Unmarshal([]byte(data[key]), &cfg) == nil && cfg.Storage.Type != "" {
				return cfg, true
			}
		}
	}
	return dexConfig{}, false
}
