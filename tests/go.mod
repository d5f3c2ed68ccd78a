module github.com/kfgitops/kfgitops/tests

go 1.26.5

require (
	github.com/kfgitops/kfgitops/functions/ambient-mesh v0.0.0
	github.com/kfgitops/kfgitops/functions/backup v0.0.0
	github.com/kfgitops/kfgitops/functions/identity-provider v0.0.0
	github.com/kfgitops/kfgitops/functions/kgateway-route v0.0.0
	github.com/kfgitops/kfgitops/functions/kubeflow-gitops v0.0.0
	github.com/kfgitops/kfgitops/functions/monitoring v0.0.0
	github.com/kfgitops/kfgitops/functions/placement v0.0.0
	github.com/kfgitops/kfgitops/functions/verify v0.0.0
	github.com/kfgitops/kfgitops/kit v0.0.0
	github.com/kptdev/kpt v1.0.0-beta.61
	github.com/kptdev/krm-functions-sdk/go/fn v1.0.2
	k8s.io/apimachinery v0.37.2
	sigs.k8s.io/gateway-api v1.6.3
	sigs.k8s.io/kustomize/kyaml v0.21.2
	sigs.k8s.io/yaml v1.6.0
)

require (
	cel.dev/expr v0.25.1 // indirect
	github.com/antlr4-go/antlr/v4 v4.13.1 // indirect
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/blang/semver/v4 v4.0.0 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/fxamacker/cbor/v2 v2.9.1 // indirect
	github.com/go-errors/errors v1.5.1 // indirect
	github.com/go-logr/logr v1.4.3 // indirect
	github.com/go-openapi/jsonpointer v1.0.0 // indirect
	github.com/go-openapi/jsonreference v1.0.0 // indirect
	github.com/go-openapi/swag v0.27.1 // indirect
	github.com/go-openapi/swag/cmdutils v0.27.1 // indirect
	github.com/go-openapi/swag/conv v0.27.1 // indirect
	github.com/go-openapi/swag/fileutils v0.27.1 // indirect
	github.com/go-openapi/swag/jsonutils v0.27.1 // indirect
	github.com/go-openapi/swag/loading v0.27.1 // indirect
	github.com/go-openapi/swag/mangling v0.27.1 // indirect
	github.com/go-openapi/swag/netutils v0.27.1 // indirect
	github.com/go-openapi/swag/pools v0.27.1 // indirect
	github.com/go-openapi/swag/stringutils v0.27.1 // indirect
	github.com/go-openapi/swag/typeutils v0.27.1 // indirect
	github.com/go-openapi/swag/yamlutils v0.27.1 // indirect
	github.com/google/cel-go v0.29.2 // indirect
	github.com/google/gnostic-models v0.7.1 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/json-iterator/go v1.1.12 // indirect
	github.com/kfgitops/kfgitops/functions/argocd-apps v0.0.0 // indirect
	github.com/kfgitops/kfgitops/functions/set-sync-wave v0.0.0 // indirect
	github.com/kfgitops/kfgitops/functions/strip-istio-sidecar v0.0.0 // indirect
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/modern-go/reflect2 v1.0.3-0.20250322232337-35a7c28c31ee // indirect
	github.com/monochromegane/go-gitignore v0.0.0-20200626010858-205db1a8cc00 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/prometheus/client_golang v1.24.0 // indirect
	github.com/prometheus/client_model v0.6.2 // indirect
	github.com/prometheus/common v0.70.0 // indirect
	github.com/prometheus/procfs v0.21.1 // indirect
	github.com/spf13/cobra v1.10.2 // indirect
	github.com/spf13/pflag v1.0.10 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	github.com/xlab/treeprint v1.2.0 // indirect
	go.opentelemetry.io/otel v1.44.0 // indirect
	go.opentelemetry.io/otel/trace v1.44.0 // indirect
	go.yaml.in/yaml/v2 v2.4.4 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/exp v0.0.0-20260410095643-746e56fc9e2f // indirect
	golang.org/x/net v0.57.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.40.0 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20260526163538-3dc84a4a5aaa // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260526163538-3dc84a4a5aaa // indirect
	google.golang.org/protobuf v1.36.12 // indirect
	gopkg.in/inf.v0 v0.9.1 // indirect
	k8s.io/api v0.37.2 // indirect
	k8s.io/apiextensions-apiserver v0.37.2 // indirect
	k8s.io/apiserver v0.37.2 // indirect
	k8s.io/component-base v0.37.2 // indirect
	k8s.io/klog/v2 v2.140.0 // indirect
	k8s.io/kube-openapi v0.0.0-20260721132016-d427ff9ee9ad // indirect
	k8s.io/utils v0.0.0-20260626114624-be93311217bd // indirect
	sigs.k8s.io/json v0.0.0-20250730193827-2d320260d730 // indirect
	sigs.k8s.io/kustomize/api v0.20.1 // indirect
	sigs.k8s.io/randfill v1.0.0 // indirect
	sigs.k8s.io/structured-merge-diff/v6 v6.4.2 // indirect
)

replace (
	github.com/kfgitops/kfgitops/functions/ambient-mesh => ../functions/ambient-mesh
	github.com/kfgitops/kfgitops/functions/argocd-apps => ../functions/argocd-apps
	github.com/kfgitops/kfgitops/functions/backup => ../functions/backup
	github.com/kfgitops/kfgitops/functions/identity-provider => ../functions/identity-provider
	github.com/kfgitops/kfgitops/functions/kgateway-route => ../functions/kgateway-route
	github.com/kfgitops/kfgitops/functions/kubeflow-gitops => ../functions/kubeflow-gitops
	github.com/kfgitops/kfgitops/functions/monitoring => ../functions/monitoring
	github.com/kfgitops/kfgitops/functions/placement => ../functions/placement
	github.com/kfgitops/kfgitops/functions/set-sync-wave => ../functions/set-sync-wave
	github.com/kfgitops/kfgitops/functions/strip-istio-sidecar => ../functions/strip-istio-sidecar
	github.com/kfgitops/kfgitops/functions/verify => ../functions/verify
	github.com/kfgitops/kfgitops/kit => ../kit
)
