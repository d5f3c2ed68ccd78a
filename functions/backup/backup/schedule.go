package backup

import (
	"time"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ScheduleKind is Velero's Schedule.
var ScheduleKind = kit.GroupKind{Group: "velero.io", Kind: "Schedule"}

// ManagedBy is the ManagedByLabel value of the Schedules: a re-run
// replaces exactly these.
const ManagedBy = "kfgitops-backup"

// ProfileResource is the Profile's resource name in Velero's filters.
const ProfileResource = "profiles.kubeflow.org"

// The Schedule as Velero's velero.io/v1 types define it, as structs so that
// the fields come out in the order Velero documents them; only the fields
// this function sets.

type scheduleObject struct {
	kit.Header `yaml:",inline"`
	Spec       scheduleSpec `yaml:"spec"`
}

type scheduleSpec struct {
	Schedule                   string     `yaml:"schedule"`
	UseOwnerReferencesInBackup bool       `yaml:"useOwnerReferencesInBackup"`
	Template                   backupSpec `yaml:"template"`
}

type backupSpec struct {
	IncludedNamespaces []string `yaml:"includedNamespaces"`
	ExcludedNamespaces []string `yaml:"excludedNamespaces,omitempty"`
	// IncludedClusterScopedResources (the scoped filters: Velero rejects
	// them beside includeClusterResources) names cluster-scoped kinds to
	// back up whole; the PersistentVolumes of backed-up claims come along
	// without it.
	IncludedClusterScopedResources []string       `yaml:"includedClusterScopedResources,omitempty"`
	SnapshotVolumes                bool           `yaml:"snapshotVolumes"`
	DefaultVolumesToFsBackup       bool           `yaml:"defaultVolumesToFsBackup"`
	StorageLocation                string         `yaml:"storageLocation,omitempty"`
	VolumeSnapshotLocations        []string       `yaml:"volumeSnapshotLocations,omitempty"`
	TTL                            string         `yaml:"ttl"`
	Metadata                       backupMetadata `yaml:"metadata"`
	Hooks                          *backupHooks   `yaml:"hooks,omitempty"`
}

// backupMetadata labels each Backup with its data set, so that a restore
// can pick the latest of one: velero backup get -l kfgitops.dev/data-set=….
type backupMetadata struct {
	Labels map[string]string `yaml:"labels"`
}

// DataSetLabel labels every Backup with its data set.
const DataSetLabel = "kfgitops.dev/data-set"

type backupHooks struct {
	Resources []hookSpec `yaml:"resources"`
}

type hookSpec struct {
	Name               string             `yaml:"name"`
	IncludedNamespaces []string           `yaml:"includedNamespaces"`
	IncludedResources  []string           `yaml:"includedResources"`
	LabelSelector      *kit.LabelSelector `yaml:"labelSelector"`
	Pre                []hook             `yaml:"pre"`
}

type hook struct {
	Exec execHook `yaml:"exec"`
}

type execHook struct {
	Container string   `yaml:"container"`
	Command   []string `yaml:"command"`
	OnError   string   `yaml:"onError"`
	Timeout   string   `yaml:"timeout"`
}

// selectorOf is the selector as Velero's CRD spells it (kyaml would
// otherwise use the Go field names of metav1.LabelSelector).
func selectorOf(s *metav1.LabelSelector) *kit.LabelSelector {
	out := &kit.LabelSelector{MatchLabels: s.MatchLabels}
	for _, e := range s.MatchExpressions {
		out.MatchExpressions = append(out.MatchExpressions, kit.LabelRequirement{Key: e.Key, Operator: string(e.Operator), Values: e.Values})
	}
	return out
}

// scheduleNames are the Schedules of the data sets.
var scheduleNames = map[string]string{DataSetKubeflow: "kubeflow-platform", DataSetProfiles: "kubeflow-profiles", DataSetAuth: "kubeflow-auth"}

func scheduleName(set string) string { return scheduleNames[set] }

// newSchedule renders one data set's Schedule.
func newSchedule(cfg *Config, set string, tmpl backupSpec) (*fn.KubeObject, error) {
	name := scheduleName(set)
	meta := kit.GeneratedMeta(FunctionName, "Schedule", cfg.VeleroNamespace, name, nil)
	meta.Labels = map[string]string{kit.ManagedByLabel: ManagedBy}
	tmpl.SnapshotVolumes = cfg.Volumes == VolumesSnapshot
	tmpl.DefaultVolumesToFsBackup = cfg.Volumes == VolumesFsBackup
	tmpl.StorageLocation = cfg.StorageLocation
	tmpl.VolumeSnapshotLocations = cfg.VolumeSnapshotLocations
	tmpl.TTL = normalDuration(cfg.TTL)
	tmpl.Metadata.Labels = map[string]string{DataSetLabel: set}
	return kit.NewObject(scheduleObject{
		Header: kit.Header{APIVersion: "velero.io/v1", Kind: ScheduleKind.Kind, Metadata: meta},
		Spec:   scheduleSpec{Schedule: cfg.Schedule, Template: tmpl},
	})
}

// normalDuration is a validated duration as Go prints it ("720h0m0s"), the
// form Velero's metav1.Duration fields marshal to, so that the Schedule in
// Git and the one Velero reads back agree.
func normalDuration(s string) string {
	d, _ := time.ParseDuration(s)
	return d.String()
}
