package kservegateway

// The keys of inferenceservice-config this function reads and writes, as
// KServe v0.16.0 (the kserve-controller image of the corpus) decodes them:
// pkg/apis/serving/v1beta1/configmap.go at tag v0.16.0 (IngressConfig,
// DeployConfig and their JSON tags; the config map keys IngressConfigKeyName
// and DeployConfigName) and pkg/constants/constants.go (DeploymentModeType).
// KServe decodes each key's JSON with encoding/json, so a key missing from
// its struct is ignored, never an error: the tests check every key of the
// function's output against this table, so that a misspelt key cannot pass
// silently.

// ConfigMapName is constants.InferenceServiceConfigMapName; KServe reads the
// ConfigMap of that name in its own namespace.
const ConfigMapName = "inferenceservice-config"

// Data keys of the ConfigMap (configmap.go, "ConfigMap Keys").
const (
	IngressKey = "ingress"
	DeployKey  = "deploy"
)

// Fields of the ingress JSON (IngressConfig) this function sets.
const (
	EnableGatewayAPIField     = "enableGatewayApi"
	KServeIngressGatewayField = "kserveIngressGateway"
)

// Field is one JSON field of a document KServe decodes, with the JSON type
// of its Go field (bool: boolean, string and *string: string, *[]string:
// array).
type Field struct {
	Name, Type string
}

// IngressFields are the JSON tags of IngressConfig at v0.16.0, in struct
// order: each is present in the struct both before v0.15.0's Gateway API
// work was released and after v0.17.1, so at v0.16.0 too.
var IngressFields = []Field{
	{EnableGatewayAPIField, "boolean"},
	{KServeIngressGatewayField, "string"},
	{"ingressGateway", "string"},
	{"knativeLocalGatewayService", "string"},
	{"localGateway", "string"},
	{"localGatewayService", "string"},
	{"ingressDomain", "string"},
	{"ingressClassName", "string"},
	{"additionalIngressDomains", "array"},
	{"domainTemplate", "string"},
	{"urlScheme", "string"},
	{"disableIstioVirtualHost", "boolean"},
	{"pathTemplate", "string"},
	{"disableIngressCreation", "boolean"},
}

// DefaultDeploymentModeField is the field of DeployConfig this function
// sets.
const DefaultDeploymentModeField = "defaultDeploymentMode"

// DeployFields are the JSON tags of DeployConfig present at v0.16.0 (as
// IngressFields: in the struct before v0.15.0 and after v0.17.1).
var DeployFields = []Field{{DefaultDeploymentModeField, "string"}}

// DeploymentModes are the values NewDeployConfig accepts at v0.16.0
// (constants.DeploymentModeType): Standard and Knative, the legacy names
// RawDeployment (= Standard) and Serverless (= Knative) that it
// normalises, and ModelMesh.
var DeploymentModes = []string{"Standard", "Knative", "RawDeployment", "Serverless", "ModelMesh"}

// deploymentModeValue is what deploymentMode writes: Standard by its v0.16.0
// name; Serverless by the name upstream Kubeflow's config already uses (the
// legacy alias of Knative), so that choosing it leaves upstream's value as
// it is.
var deploymentModeValue = map[string]string{Standard: "Standard", Serverless: "Serverless"}
