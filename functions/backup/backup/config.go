package backup

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kfgitops/kfgitops/kit"
	cron "github.com/netresearch/go-cron"
)

// Kind is the typed functionConfig kind.
const Kind = "Backup"

// The data sets a Schedule can be emitted for; each namespace of the bundle
// belongs to exactly one of them.
const (
	// DataSetKubeflow is the platform's namespaces (the bundle's Namespaces
	// that are neither a profile's nor dex's): the Pipelines and Katib
	// databases, SeaweedFS's volume, run-time Secrets.
	DataSetKubeflow = "kubeflow"
	// DataSetProfiles is the profile namespaces with their volumes, and
	// every Profile of the cluster.
	DataSetProfiles = "profiles"
	// DataSetAuth is dex's namespace: its storage (custom resources of
	// dex.coreos.com under storage type kubernetes).
	DataSetAuth = "auth"
)

// dataSets is every data set, in the order the Schedules are emitted.
var dataSets = []string{DataSetKubeflow, DataSetProfiles, DataSetAuth}

// How volume data is backed up.
const (
	// VolumesSnapshot takes a snapshot of each PersistentVolume
	// (snapshotVolumes: true): CSI or a provider plugin, and every PVC,
	// mounted or not.
	VolumesSnapshot = "snapshot"
	// VolumesFsBackup copies the files of every pod volume with Velero's
	// node agent (defaultVolumesToFsBackup: true): no snapshot support
	// needed, but only volumes a running pod mounts.
	VolumesFsBackup = "fsBackup"
)

// Config is the functionConfig. schedule "" (the default) emits nothing.
type Config struct {
	// Diagnostics is failOn: error (the default) or warning.
	kit.Diagnostics
	// Schedule is the cron expression of every Schedule, parsed as Velero
	// parses it (five fields, or a descriptor such as @daily). "" turns
	// the function off.
	Schedule string `json:"schedule"`
	// TTL is how long each Backup is kept (a Go duration).
	TTL string `json:"ttl"`
	// VeleroNamespace is where Velero runs and the Schedules go.
	VeleroNamespace string `json:"veleroNamespace"`
	// StorageLocation is the BackupStorageLocation; "" is Velero's default.
	StorageLocation string `json:"storageLocation"`
	// VolumeSnapshotLocations are the VolumeSnapshotLocations (volumes:
	// snapshot only); none is Velero's default per provider.
	VolumeSnapshotLocations []string `json:"volumeSnapshotLocations"`
	// Volumes is "snapshot" or "fsBackup".
	Volumes string `json:"volumes"`
	// DataSets are the data sets to emit a Schedule for.
	DataSets []string `json:"dataSets"`
	// Namespaces adds and removes namespaces.
	Namespaces Namespaces `json:"namespaces"`
	// Hooks emits the pre-backup hooks that dump each MySQL database.
	Hooks bool `json:"hooks"`
	// HookTimeout is how long Velero waits for one dump (a Go duration).
	HookTimeout string `json:"hookTimeout"`
	// AllowCrashConsistent accepts a MySQL that cannot be dumped (or hooks
	// off): its volume is then backed up as it is on disk, with a warning.
	AllowCrashConsistent bool `json:"allowCrashConsistent"`
}

// Namespaces are the namespaces the bundle does not tell.
type Namespaces struct {
	// Extra are profile namespaces the bundle does not declare (profiles
	// created at run time): names or Velero globs ("team-*", or "*" for
	// every namespace that is not the platform's).
	Extra []string `json:"extra"`
	// Excluded are names or shell globs left out of every data set.
	Excluded []string `json:"excluded"`
}

// Defaults: off. With a schedule set: every data set, snapshots, hooks on,
// Backups kept 30 days in Velero's default storage location.
func Defaults() Config {
	return Config{
		TTL:             "720h",
		VeleroNamespace: "velero",
		Volumes:         VolumesSnapshot,
		DataSets:        slices.Clone(dataSets),
		Hooks:           true,
		HookTimeout:     "10m",
	}
}

// Enabled reports whether the config asks for Schedules.
func (c *Config) Enabled() bool { return c.Schedule != "" }

// Validate checks every field on its own.
func (c *Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if c.Schedule != "" {
		if _, err := cron.ParseStandard(c.Schedule); err != nil {
			add(fmt.Errorf("schedule %q: not a cron expression Velero accepts: %w", c.Schedule, err))
		}
	}
	add(checkDuration("ttl", c.TTL))
	add(checkDuration("hookTimeout", c.HookTimeout))
	add(kit.CheckDNSLabel("veleroNamespace", c.VeleroNamespace))
	if c.StorageLocation != "" {
		add(kit.CheckDNSSubdomain("storageLocation", c.StorageLocation))
	}
	for i, l := range c.VolumeSnapshotLocations {
		add(kit.CheckDNSSubdomain(fmt.Sprintf("volumeSnapshotLocations[%d]", i), l))
	}
	switch c.Volumes {
	case VolumesSnapshot:
	case VolumesFsBackup:
		if len(c.VolumeSnapshotLocations) > 0 {
			add(errors.New("volumeSnapshotLocations: only with volumes: snapshot (fsBackup takes no snapshot)"))
		}
	default:
		add(fmt.Errorf("volumes %q: must be %s or %s", c.Volumes, VolumesSnapshot, VolumesFsBackup))
	}
	add(checkDataSets(c.DataSets))
	add(checkPatterns("namespaces.extra", c.Namespaces.Extra, true))
	add(checkPatterns("namespaces.excluded", c.Namespaces.Excluded, false))
	for i, e := range c.Namespaces.Extra {
		if slices.Contains(c.Namespaces.Excluded, e) {
			add(fmt.Errorf("namespaces.extra[%d] %q: also in namespaces.excluded (Velero rejects a namespace both included and excluded)", i, e))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}

func checkDuration(field, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%s %q: must be a positive Go duration such as 720h or 10m", field, v)
	}
	return nil
}

func checkDataSets(sets []string) error {
	seen := map[string]bool{}
	for i, s := range sets {
		if !slices.Contains(dataSets, s) {
			return fmt.Errorf("dataSets[%d] %q: must be one of %s", i, s, strings.Join(dataSets, ", "))
		}
		if seen[s] {
			return fmt.Errorf("dataSets[%d] %q: listed twice", i, s)
		}
		seen[s] = true
	}
	return nil
}

// checkPatterns accepts namespace names and globs of *, ? and [...]; "*"
// (extra only) must then be the only entry, as Velero requires.
func checkPatterns(field string, ps []string, starAlone bool) error {
	for i, p := range ps {
		f := fmt.Sprintf("%s[%d]", field, i)
		if p == "*" {
			if !starAlone {
				return fmt.Errorf("%s: \"*\" would exclude every namespace", f)
			}
			if len(ps) > 1 {
				return fmt.Errorf("%s: \"*\" must be the only entry (Velero rejects \"*\" with other namespaces)", f)
			}
			continue
		}
		if isGlob(p) {
			if err := kit.CheckDNSLabel(f, strings.NewReplacer("*", "x", "?", "x", "[", "x", "]", "x").Replace(p)); err != nil {
				return err
			}
			continue
		}
		if err := kit.CheckDNSLabel(f, p); err != nil {
			return err
		}
	}
	return nil
}

func isGlob(p string) bool { return strings.ContainsAny(p, "*?[") }
