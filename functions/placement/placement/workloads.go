package placement

import (
	"encoding/json"
	"fmt"

	"github.com/kfgitops/kfgitops/kit"
	"github.com/kptdev/krm-functions-sdk/go/fn"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

var (
	statefulSetKind = kit.GroupKind{Group: kit.GroupApps, Kind: "StatefulSet"}
	daemonSetKind   = kit.GroupKind{Group: kit.GroupApps, Kind: "DaemonSet"}
	replicaSetKind  = kit.GroupKind{Group: kit.GroupApps, Kind: "ReplicaSet"}
	jobKind         = kit.GroupKind{Group: kit.GroupBatch, Kind: "Job"}
	cronJobKind     = kit.GroupKind{Group: kit.GroupBatch, Kind: "CronJob"}
)

// workloadKinds are the kinds rules select: the controllers of pods that a
// bundle deploys. Bare Pods and PodTemplates are left out (a Pod's
// placement cannot change once it exists, and a PodTemplate is no
// workload); so are custom resources that embed pod templates, whose
// controllers decide their replicas themselves.
var workloadKinds = []kit.GroupKind{kit.DeploymentKind, statefulSetKind, daemonSetKind, replicaSetKind, jobKind, cronJobKind}

// replicatedKinds have spec.replicas and spread their pods over replicas,
// which a PodDisruptionBudget counts.
var replicatedKinds = []kit.GroupKind{kit.DeploymentKind, statefulSetKind, replicaSetKind}

// autoscaledKinds are what a HorizontalPodAutoscaler of this function
// targets (a ReplicaSet of a bundle is rare, and its Deployment is what one
// autoscales).
var autoscaledKinds = []kit.GroupKind{kit.DeploymentKind, statefulSetKind}

func isOneOf(gk kit.GroupKind, kinds []kit.GroupKind) bool {
	for _, k := range kinds {
		if k == gk {
			return true
		}
	}
	return false
}

// matches reports whether the workload is selected by any of the rule's
// selectors.
func (r *Rule) matches(o *fn.KubeObject, scope *kit.Scope) bool {
	for _, s := range r.Match {
		if s.Matches(o, scope) {
			return true
		}
	}
	return false
}

// podTemplate is the one pod template of a workload and its field path.
func podTemplate(rn *yaml.RNode, gk kit.GroupKind) (kit.PodTemplate, bool) {
	ts := kit.PodTemplates(rn, gk, kit.BuiltinPodTemplatePaths)
	if len(ts) != 1 {
		return kit.PodTemplate{}, false
	}
	return ts[0], true
}

// templatePath says where a kind's pod template is, for messages.
func templatePath(gk kit.GroupKind) string {
	for _, e := range kit.BuiltinPodTemplatePaths {
		if e.Group == gk.Group && e.Kind == gk.Kind {
			return e.Path
		}
	}
	return ""
}

// decodeNode decodes a YAML node onto v, a Kubernetes API type.
func decodeNode(n *yaml.RNode, v any) error {
	j, err := n.MarshalJSON()
	if err != nil {
		return err
	}
	return json.Unmarshal(j, v)
}

// encodeNode renders v, a Kubernetes API type, as a YAML node (keys in
// the order sigs.k8s.io/yaml writes them).
func encodeNode(v any) (*yaml.RNode, error) {
	b, err := sigsyaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	return yaml.Parse(string(b))
}

// findings collects what one rule did to one workload, for results.
type findings []kit.Finding

func (fs *findings) add(sev fn.Severity, field, format string, a ...any) {
	*fs = append(*fs, kit.Finding{Severity: sev, Field: field, Message: fmt.Sprintf(format, a...)})
}

func (fs *findings) info(field, format string, a ...any) { fs.add(fn.Info, field, format, a...) }

func (fs *findings) warn(field, format string, a ...any) { fs.add(fn.Warning, field, format, a...) }

func (fs *findings) fail(field, format string, a ...any) { fs.add(fn.Error, field, format, a...) }

// report appends the findings as results about o, each prefixed with the
// rule that led to it.
func (fs findings) report(rs *fn.Results, o *fn.KubeObject, rule string) {
	for _, f := range fs {
		f.Message = rule + ": " + f.Message
		*rs = append(*rs, f.Result(o))
	}
}

// selects reports whether a label selector selects pods with these labels;
// an empty or malformed selector selects nothing here.
func selects(sel *metav1.LabelSelector, podLabels map[string]string) bool {
	if sel == nil || len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(podLabels))
}
