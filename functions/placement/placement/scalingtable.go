package placement

import "github.com/kfgitops/kfgitops/kit"

// Scaling is how a workload behaves with more than one replica.
type Scaling string

const (
	// Stateless workloads serve from every replica and keep nothing
	// between requests: any replica count, and an autoscaler.
	Stateless Scaling = "stateless"
	// LeaderElected workloads run several replicas of which one holds a
	// lease and works; the others take over when it goes. Replicas for
	// availability, never an autoscaler: load does not spread.
	LeaderElected Scaling = "leaderElected"
	// Singleton workloads must run exactly one replica: a database on one
	// ReadWriteOnce volume, or a controller without leader election (two
	// would reconcile the same objects at once).
	Singleton Scaling = "singleton"
)

func (s Scaling) validate() error {
	if s == "" {
		return nil
	}
	return kit.CheckOneOf("scaling", s, Stateless, LeaderElected)
}

// knownScaling is one Kubeflow component whose scaling was established from
// its upstream code, flags and docs, with the reason.
type knownScaling struct {
	ID      kit.ObjectID
	Scaling Scaling
	Reason  string
}

func deployment(ns, name string) kit.ObjectID {
	return kit.ObjectID{GroupKind: kit.DeploymentKind, Namespace: ns, Name: name}
}

const crudWebApp = "Kubeflow crud-web-app (Flask): reads and writes only Kubernetes API objects, CSRF is a double-submit cookie checked per request, no server-side session"

const noLeaderElection = "controller run without leader election (no --leader-elect flag): two replicas would reconcile the same objects at once"

// scalingTable is the preset kubeflow's knowledge of the upstream Kubeflow
// components (names as in the upstream manifests). A workload it does not
// list scales only as a rule's scaling says.
var scalingTable = []knownScaling{
	// The web apps: stateless servers in front of the Kubernetes API and the
	// components' own APIs.
	{deployment("kubeflow", "centraldashboard"), Stateless, "Node.js server: every page is built from the Kubernetes API, kfam and the apps behind it, nothing is kept between requests"},
	{deployment("kubeflow", "jupyter-web-app-deployment"), Stateless, crudWebApp},
	{deployment("kubeflow", "volumes-web-app-deployment"), Stateless, crudWebApp},
	{deployment("kubeflow", "tensorboards-web-app-deployment"), Stateless, crudWebApp},
	{deployment("kubeflow", "kserve-models-web-application"), Stateless, crudWebApp},
	{deployment("kubeflow", "katib-ui"), Stateless, "Go server over the Kubernetes API and katib-db-manager, no local state"},
	{deployment("kubeflow", "ml-pipeline-ui"), Stateless, "Node.js frontend proxying to the KFP API server and the artifact store, no session"},
	{deployment("oauth2-proxy", "oauth2-proxy"), Stateless, "sessions live in encrypted cookies (the cookie session store); upstream Kubeflow runs 2 replicas"},
	{deployment("cert-manager", "cert-manager-webhook"), Stateless, "cert-manager's webhook is stateless; cert-manager's high-availability guide runs several replicas"},

	// Controllers that elect a leader: replicas for failover.
	{deployment("kubeflow", "kserve-controller-manager"), LeaderElected, "runs with --leader-elect"},
	{deployment("kubeflow", "llmisvc-controller-manager"), LeaderElected, "runs with --leader-elect"},
	{deployment("kubeflow", "pvcviewer-controller-manager"), LeaderElected, "runs with --leader-elect"},
	{deployment("kubeflow", "spark-operator-controller"), LeaderElected, "runs with --leader-election=true"},
	{deployment("kubeflow", "spark-operator-webhook"), LeaderElected, "runs with --leader-election=true"},
	{deployment("kubeflow", "workflow-controller"), LeaderElected, "Argo Workflows elects a leader (LEADER_ELECTION_IDENTITY) unless --leader-elect=false"},
	{deployment("cert-manager", "cert-manager"), LeaderElected, "cert-manager's controller elects a leader (--leader-election-namespace)"},
	{deployment("cert-manager", "cert-manager-cainjector"), LeaderElected, "cert-manager's cainjector elects a leader (--leader-election-namespace)"},

	// State on one volume, or no leader election.
	{deployment("kubeflow", "mysql"), Singleton, "MySQL on the ReadWriteOnce claim mysql-pv-claim: one server owns the data directory"},
	{deployment("kubeflow", "katib-mysql"), Singleton, "MySQL on the ReadWriteOnce claim katib-mysql: one server owns the data directory"},
	{deployment("kubeflow", "seaweedfs"), Singleton, "single-process SeaweedFS (master, volume and filer) on the ReadWriteOnce claim seaweedfs-pvc"},
	{deployment("kubeflow", "minio"), Singleton, "standalone MinIO (older Kubeflow releases) on the ReadWriteOnce claim minio-pvc"},
	{deployment("kubeflow", "notebook-controller-deployment"), Singleton, noLeaderElection},
	{deployment("kubeflow", "tensorboard-controller-deployment"), Singleton, noLeaderElection},
	{deployment("kubeflow", "profiles-deployment"), Singleton, noLeaderElection},
	{deployment("kubeflow", "katib-controller"), Singleton, noLeaderElection},
	{deployment("kubeflow", "ml-pipeline-scheduledworkflow"), Singleton, noLeaderElection},
	{deployment("kubeflow", "ml-pipeline-persistenceagent"), Singleton, noLeaderElection},
	{deployment("kubeflow", "ml-pipeline-viewer-crd"), Singleton, noLeaderElection},
	{kit.ObjectID{GroupKind: kit.GroupKind{Group: kit.GroupApps, Kind: "StatefulSet"}, Namespace: "kubeflow", Name: "metacontroller"}, Singleton, "metacontroller runs without --leader-election"},
}

// tableScaling is the table's entry for the workload, if any.
func tableScaling(id kit.ObjectID) (knownScaling, bool) {
	for _, e := range scalingTable {
		if e.ID == id {
			return e, true
		}
	}
	return knownScaling{}, false
}
