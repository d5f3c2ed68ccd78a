// Package kubeflow holds the defaults that come from upstream Kubeflow: the
// names it installs and the kinds of its platform. The functions use them
// when no functionConfig says otherwise, so that no config at all is right
// for upstream Kubeflow; the generic toolkit (package kit) knows none of them.
package kubeflow

import (
	"github.com/kfgitops/kfgitops/kit"
	"github.com/kfgitops/kfgitops/kit/ingress"
)

// ProfileKind is Kubeflow's Profile: a user's namespace and who may use it.
var ProfileKind = kit.GroupKind{Group: "kubeflow.org", Kind: "Profile"}

// IngressGateway is the kgateway Gateway for Kubeflow.
var IngressGateway = ingress.Gateway{Namespace: "kubeflow-system", Name: "kubeflow-gateway"}

// NamespaceLabels is the profile controller's namespace-labels file, whose
// labels it applies to every user namespace at runtime (an empty value
// removes a label).
var NamespaceLabels = kit.ConfigMapRef{Namespace: "kubeflow", Name: "namespace-labels-data", Key: "namespace-labels.yaml"}

// PodTemplatePaths are custom resources of the Kubeflow platform that embed
// pod templates; functions use them on top of kit.BuiltinPodTemplatePaths
// unless configured otherwise.
var PodTemplatePaths = []kit.PodTemplatePath{
	{Group: "kubeflow.org", Kind: "Notebook", Path: "spec.template"},
	{Group: "jobset.x-k8s.io", Kind: "JobSet", Path: "spec.replicatedJobs[].template.spec.template"},
	{Group: "trainer.kubeflow.org", Kind: "TrainingRuntime", Path: "spec.template.spec.replicatedJobs[].template.spec.template"},
	{Group: "trainer.kubeflow.org", Kind: "ClusterTrainingRuntime", Path: "spec.template.spec.replicatedJobs[].template.spec.template"},
	{Group: "serving.knative.dev", Kind: "Service", Path: "spec.template"},
	{Group: "serving.knative.dev", Kind: "Configuration", Path: "spec.template"},
}
